import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeWhole } from '../../shared/writeWhole';
import { SKIP_REASONS, type SkipReason } from '../discovery/skipReasons';
import type { BinaryDocumentKind } from './documents';
import type { DocumentUnit, ExtractedDocument } from './extractedDocument';

/** What extracting a PDF or a Word document gave: its text, or why it has none. */
export type DocumentExtraction =
  { kind: 'document'; document: ExtractedDocument } | { kind: 'skip'; reason: SkipReason };

/**
 * Extracts a binary document's text (the index worker's; the host thread never extracts). It may take `bytes` over
 * (move their buffer to another thread): the caller reads them no more.
 */
export type DocumentExtractor = (kind: BinaryDocumentKind, bytes: Uint8Array) => Promise<DocumentExtraction>;

/**
 * Goes up when extraction changes what text or units a document gives, so entries made by an older extractor are
 * not read (their lines would not be the ones the index names). The next sync reads and chunks such documents again,
 * as it does any whose entry is gone (`updateFiles`).
 */
const EXTRACTION_VERSION = 1;

/** The folder of extracted documents beside an index store: `<store>/documents`. */
export const documentCacheDir = (storeDir: string): string => join(storeDir, 'documents');

const entryFile = (dir: string, kind: BinaryDocumentKind, hash: string): string =>
  join(dir, `${kind}-${EXTRACTION_VERSION}-${hash}.json`);

/**
 * A document's extraction by the hash of its bytes, as the index worker stored it; undefined when there is none (or
 * it is damaged). Synchronous, for the index worker, whose thread is there to block.
 */
export function cachedExtractionSync(
  dir: string,
  kind: BinaryDocumentKind,
  hash: string,
): DocumentExtraction | undefined {
  try {
    return extractionOf(readFileSync(entryFile(dir, kind, hash), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the cache holds an extraction of these bytes (without reading it). */
export function hasExtractionSync(dir: string, kind: BinaryDocumentKind, hash: string): boolean {
  return existsSync(entryFile(dir, kind, hash));
}

/** `cachedExtractionSync` without blocking: what the passage read-back uses on the host. */
export async function cachedExtraction(
  dir: string,
  kind: BinaryDocumentKind,
  hash: string,
): Promise<DocumentExtraction | undefined> {
  const json = await readFile(entryFile(dir, kind, hash), 'utf8').catch(() => undefined);
  return json === undefined ? undefined : extractionOf(json);
}

/**
 * Stores an extraction (best effort: a cache that cannot be written only costs extracting again), whole (writeWhole:
 * a temporary file of this write's own, renamed), so helper threads of one process never write into one file.
 */
export async function storeExtraction(
  dir: string,
  kind: BinaryDocumentKind,
  hash: string,
  extraction: DocumentExtraction,
): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await writeWhole(entryFile(dir, kind, hash), JSON.stringify(extraction));
  } catch {
    // not cached
  }
}

const ENTRY_FILE = /^(?:pdf|docx)-(\d+)-([0-9a-f]+)\.json$/;
/**
 * What storeExtraction writes before renaming it in place (writeWhole's `<entry>.<pid>.<thread>.<n>.<random hex>.tmp`),
 * and what it wrote before it used writeWhole (`<entry>.<pid>.tmp`): left behind by a thread or process stopped
 * mid-write.
 */
const TEMPORARY_FILE = /^(?:pdf|docx)-\d+-[0-9a-f]+\.json\.\d+(?:\.\d+\.\d+\.[0-9a-f]+)?\.tmp$/;

/**
 * Deletes the entries of documents no longer in the index (`live`: the hashes of the indexed documents' bytes),
 * those an older extractor made, and the temporary files of writes that were cut short, so the cache holds what the
 * index can cite and no more. A sync runs it under the store's lock, with no write of the cache under way (one that
 * runs without the lock and loses a write to it only leaves that document uncached). Best effort.
 */
export async function pruneExtractions(dir: string, live: ReadonlySet<string>): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const entry = ENTRY_FILE.exec(name);
    const keep = entry
      ? Number(entry[1]) === EXTRACTION_VERSION && live.has(entry[2] ?? '')
      : !TEMPORARY_FILE.test(name);
    if (keep) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

function extractionOf(json: string): DocumentExtraction | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (value['kind'] === 'skip')
    return SKIP_REASONS.includes(value['reason'] as SkipReason)
      ? { kind: 'skip', reason: value['reason'] as SkipReason }
      : undefined;
  const document = value['document'];
  if (value['kind'] !== 'document' || !isObject(document)) return undefined;
  const { text, units } = document;
  if (typeof text !== 'string' || !Array.isArray(units) || !units.every(isUnit)) return undefined;
  if (document['kind'] !== 'pdf' && document['kind'] !== 'docx') return undefined;
  const { pages } = document;
  // entries written before pages were counted have none: the text and its units are the same
  const counted = typeof pages === 'number' && Number.isInteger(pages) && pages > 0 ? { pages } : {};
  return { kind: 'document', document: { kind: document['kind'], text, units, ...counted } };
}

const isUnit = (u: unknown): u is DocumentUnit =>
  isObject(u) && typeof u['start'] === 'number' && typeof u['end'] === 'number' && typeof u['kind'] === 'string';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
