import { resolve } from 'node:path';
import type { Passage } from '../core/passage';
import { Bm25Builder, type Bm25Index } from './bm25';
import { chunkText } from './chunker';
import { discoverFiles, type DiscoveryOptions, type SkipReason } from './discovery';
import { createYielder } from './yieldToEventLoop';

export interface IndexStats {
  files: number;
  chunks: number;
  skipped: Record<SkipReason, number>;
  /** When the build finished (ms since the epoch). */
  builtAt: number;
  /** How long discovery (walk + read) and indexing (chunk + BM25) took, in ms. */
  timings: { discoverMs: number; indexMs: number };
}

/** Where each chunk came from, column-wise (one entry per BM25 document). */
interface ChunkTable {
  path: string[];
  location: string[];
  startLine: Uint32Array;
  endLine: Uint32Array;
  title: (string | undefined)[];
  text: string[];
}

export type WorkspaceIndexOptions = DiscoveryOptions;

/**
 * An in-memory index of workspace folders: discovery → chunks → BM25. Immutable once built; `build` again to
 * refresh. (The persistent, incremental index replaces the single BM25 segment with several plus a deletion set.)
 */
export class WorkspaceIndex {
  private constructor(
    private readonly bm25: Bm25Index,
    private readonly chunks: ChunkTable,
    private readonly statistics: IndexStats,
  ) {}

  static async build(folders: readonly string[], options: WorkspaceIndexOptions = {}): Promise<WorkspaceIndex> {
    const t0 = performance.now();
    const roots = folders.map(f => resolve(f));
    const { files, skipped } = await discoverFiles(roots, options);
    const t1 = performance.now();
    const step = createYielder(options.signal);
    const builder = new Bm25Builder();
    const path: string[] = [];
    const location: string[] = [];
    const startLine: number[] = [];
    const endLine: number[] = [];
    const title: (string | undefined)[] = [];
    const text: string[] = [];
    for (const file of files) {
      await step();
      for (const chunk of chunkText(file.path, file.text)) {
        builder.add({ text: chunk.text, title: chunk.title, path: file.path });
        path.push(file.path);
        location.push(file.location);
        startLine.push(chunk.startLine);
        endLine.push(chunk.endLine);
        title.push(chunk.title);
        text.push(chunk.text);
      }
    }
    const bm25 = builder.build();
    const table: ChunkTable = {
      path,
      location,
      startLine: Uint32Array.from(startLine),
      endLine: Uint32Array.from(endLine),
      title,
      text,
    };
    const stats: IndexStats = {
      files: files.length,
      chunks: text.length,
      skipped,
      builtAt: Date.now(),
      timings: { discoverMs: t1 - t0, indexMs: performance.now() - t1 },
    };
    return new WorkspaceIndex(bm25, table, stats);
  }

  stats(): IndexStats {
    return { ...this.statistics, skipped: { ...this.statistics.skipped }, timings: { ...this.statistics.timings } };
  }

  /** The k best chunks for the query, best first. */
  search(query: string, k: number): Passage[] {
    return this.bm25.search(query, k).map(({ doc, score }) => this.passage(doc, score));
  }

  private passage(doc: number, score: number): Passage {
    const c = this.chunks;
    const path = c.path[doc] ?? '';
    const startLine = c.startLine[doc] ?? 1;
    const endLine = c.endLine[doc] ?? startLine;
    const passage: Passage = {
      id: `${path}:${startLine}-${endLine}`,
      path,
      location: c.location[doc] ?? '',
      startLine,
      endLine,
      text: c.text[doc] ?? '',
      score,
    };
    const title = c.title[doc];
    if (title !== undefined) passage.title = title;
    return passage;
  }
}
