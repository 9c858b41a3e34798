import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Citation } from '../../../src/core/events';
import { CitationStream } from '../../../src/core/citations/citationStream';
import { defaultAskOptions } from '../../../src/core/options';
import type { Passage } from '../../../src/core/passage';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';

/**
 * The citation benchmark of ../shared/eval/citations (run.mjs with cite-llm.mjs) in-process: the same cases,
 * the same search (k 8, the first 6 as sources, as ask() with grading off), the same scripted answers, streamed
 * word by word through a CitationStream with the index's IDF, and the same scores.
 */

/** One line of cases.jsonl. */
interface DevCase {
  claim: string;
  path: string;
  goldLines: number[];
}

/** The figures run.mjs prints (means over found cases), and the share of right citations that checking moved away. */
export interface DevFigures {
  cases: number;
  /** `cite`: cases whose evidence file was retrieved and is still cited after checking. */
  found: number;
  hit: number;
  lineP: number;
  lineR: number;
  span: number;
  flagged: number;
  /** `cite`: cases whose evidence file was cited, and checking moved every such citation elsewhere. */
  evidenceCited: number;
  movedAway: number;
  /** `cite-wrong`: cases with a wrong citation; flagged or moved to the evidence, and moved alone. */
  wrongFound: number;
  wrongFlaggedOrMoved: number;
  wrongMoved: number;
}

interface Row {
  hit: boolean;
  P: number;
  R: number;
  span: number;
  flagged: boolean;
}

export function readCases(dir: string): DevCase[] {
  return readFileSync(join(dir, 'cases.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as DevCase);
}

/** Indexes the data set's workspace once; `figures` then scores any selection of its cases. */
export class DevSet {
  private readonly retriever: LocalRetriever;
  private readonly searches = new Map<string, Passage[]>();

  constructor(readonly dir: string) {
    this.retriever = new LocalRetriever({ folders: () => [join(dir, 'ws')] });
  }

  async sync(): Promise<void> {
    await this.retriever.refresh();
  }

  dispose(): void {
    this.retriever.dispose();
  }

  /** Scores `cases`, grouped by claim as run.mjs asks them (one answer per distinct claim). */
  async figures(cases: readonly DevCase[]): Promise<DevFigures> {
    const byClaim = new Map<string, DevCase[]>();
    for (const c of cases) byClaim.set(c.claim.trim(), [...(byClaim.get(c.claim.trim()) ?? []), c]);
    const right: Row[] = [];
    const wrong: { flagged: boolean; moved: boolean }[] = [];
    let evidenceCited = 0;
    let movedAway = 0;
    for (const [claim, group] of byClaim) {
      const sources = await this.sources(claim);
      const gold = group.map(c => c.path);
      const cite = await this.answer(
        claim,
        sources,
        sources.filter(p => gold.includes(p.path)),
      );
      const citeWrong = await this.answer(claim, sources, sources.filter(p => !gold.includes(p.path)).slice(0, 1));
      for (const c of group) {
        if (sources.some(p => p.path === c.path)) {
          evidenceCited++;
          if (!cite.some(x => x.passage.path === c.path)) movedAway++;
        }
        const cit = cite.find(x => x.passage.path === c.path);
        if (cit) right.push(score(cit, c));
        if (citeWrong.some(x => x.passage.path === c.path)) wrong.push({ flagged: true, moved: true });
        else {
          const w = citeWrong.find(x => x.passage.path !== c.path);
          if (w) wrong.push({ flagged: w.support !== 'supported', moved: false });
        }
      }
    }
    const mean = <T>(xs: T[], f: (x: T) => number) => (xs.length ? xs.reduce((a, x) => a + f(x), 0) / xs.length : NaN);
    return {
      cases: cases.length,
      found: right.length,
      hit: mean(right, r => +r.hit),
      lineP: mean(right, r => r.P),
      lineR: mean(right, r => r.R),
      span: mean(right, r => r.span),
      flagged: mean(right, r => +r.flagged),
      evidenceCited,
      movedAway,
      wrongFound: wrong.length,
      wrongFlaggedOrMoved: mean(wrong, w => +w.flagged),
      wrongMoved: mean(wrong, w => +w.moved),
    };
  }

  /** What ask() gives the generator with grading off: the first maxContext of k results. */
  private async sources(claim: string): Promise<Passage[]> {
    let found = this.searches.get(claim);
    if (!found) {
      found = (await this.retriever.search(claim, { k: defaultAskOptions.k })).slice(0, defaultAskOptions.maxContext);
      this.searches.set(claim, found);
    }
    return found;
  }

  /** cite-llm.mjs's answer, "<claim> [n][m]" citing `cited`, streamed word by word; its citations after checking. */
  private async answer(claim: string, sources: Passage[], cited: Passage[]): Promise<Citation[]> {
    if (cited.length === 0) return [];
    const weights = await this.retriever.termWeights([claim, ...sources.map(p => p.text)]);
    const stream = new CitationStream(sources, 'lexical', weights);
    const text = `${claim} ${cited.map(p => `[${sources.indexOf(p) + 1}]`).join('')}`;
    for (const piece of text.match(/\s*\S+/g) ?? []) stream.push(piece);
    stream.flush();
    return stream.citations;
  }
}

/** run.mjs's score of one citation against the case's rationale lines. */
function score(c: Citation, dev: DevCase): Row {
  const gold = new Set(dev.goldLines);
  let hit = 0;
  for (let l = c.startLine; l <= c.endLine; l++) if (gold.has(l)) hit++;
  const span = c.endLine - c.startLine + 1;
  return { hit: hit > 0, P: hit / span, R: hit / gold.size, span, flagged: c.support !== 'supported' };
}
