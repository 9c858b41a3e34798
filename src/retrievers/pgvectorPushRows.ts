import { contentHash } from '../embeddings/contentHash';
import { chunkText, discoverFiles, type DiscoveryRules } from '../index';

/** One chunk as it is pushed: the row's identity is its place (path and lines); its hash is its content. */
export interface PushRow {
  id: string;
  path: string;
  startLine: number;
  endLine: number;
  title?: string;
  text: string;
  /** The hash of `embeddingInput`: equal hashes share a vector. */
  contentHash: string;
  /** What is embedded: the path and title give a chunk the context its text may lack. */
  embeddingInput: string;
  /** The file on this machine (set by `workspaceRows`; not pushed: other machines have other folders). */
  location?: string;
}

/**
 * The row for one chunk. NUL characters are removed from its text and title: PostgreSQL's text type cannot hold
 * them, and the binary check reads only a file's first bytes, so a text file may still carry one further on.
 */
export function pushRow(
  path: string,
  chunk: { startLine: number; endLine: number; title?: string; text: string },
): PushRow {
  const text = withoutNul(chunk.text);
  const title = chunk.title && withoutNul(chunk.title);
  const embeddingInput = [path, title, text].filter(Boolean).join('\n');
  const row: PushRow = {
    id: `${path}:${chunk.startLine}-${chunk.endLine}`,
    path,
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    text,
    contentHash: contentHash(embeddingInput),
    embeddingInput,
  };
  if (title) row.title = title;
  return row;
}

const withoutNul = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '') : text);

/** The folders' chunks, found and split exactly as the local index does (same rules, same line ranges). */
export async function workspaceRows(
  folders: readonly string[],
  rules: DiscoveryRules & { signal?: AbortSignal } = {},
): Promise<{ rows: PushRow[]; files: number; skipped: number }> {
  const { files, skipped } = await discoverFiles(folders, rules);
  const rows = files.flatMap(file =>
    chunkText(file.path, file.text).map(chunk => ({ ...pushRow(file.path, chunk), location: file.location })),
  );
  return { rows, files: files.length, skipped: Object.values(skipped).reduce((a, b) => a + b, 0) };
}
