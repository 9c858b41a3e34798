import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GroundedError } from '../core/errors';
import type { Qrels } from './evalMetrics';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

/** A BEIR data set: corpus.jsonl, queries.jsonl and qrels (qrels/test.tsv or qrels.tsv). */
export interface BeirDataset {
  corpus: BeirDocument[];
  queries: BeirQuery[];
  /** The judgements of the queries in `queries`. */
  qrels: Qrels;
  /** Queries the qrels judge that queries.jsonl does not hold: left out of `qrels`, as nothing can be asked. */
  unasked: number;
}

const badInput = (message: string): GroundedError => new GroundedError('bad-input', message);

/**
 * Loads a BEIR folder; every problem is a `bad-input` GroundedError naming the file and line. An aborted `signal`
 * (Ctrl-C) stops the reading with an AbortError.
 */
export async function loadBeirDataset(dir: string, signal?: AbortSignal): Promise<BeirDataset> {
  const corpusFile = join(dir, 'corpus.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  const qrelsFile = await firstExisting([join(dir, 'qrels', 'test.tsv'), join(dir, 'qrels.tsv')]);
  for (const file of [corpusFile, queriesFile]) {
    if (!(await exists(file)))
      throw badInput(`${file} not found: a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/test.tsv.`);
  }
  if (!qrelsFile) throw badInput(`No qrels in ${dir}: expected qrels/test.tsv or qrels.tsv.`);

  const corpus: BeirDocument[] = [];
  const ids = new Set<string>();
  await readJsonLines(corpusFile, signal, (row, where) => {
    // two documents of one id would each count as the relevant one: scores above 1
    const id = idField(row, where);
    if (ids.has(id)) throw badInput(`${where}: "_id" ${JSON.stringify(id)} names an earlier document too.`);
    ids.add(id);
    corpus.push({
      id,
      title: stringField(row, 'title', where),
      text: stringField(row, 'text', where),
    });
  });
  const queries: BeirQuery[] = [];
  await readJsonLines(queriesFile, signal, (row, where) => {
    queries.push({ id: idField(row, where), text: stringField(row, 'text', where) });
  });
  const qrels = new Map<string, Map<string, number>>();
  await readLines(qrelsFile, signal, (line, lineNumber) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const tabbed = trimmed.split('\t');
    const cols = tabbed.length >= 3 ? tabbed : trimmed.split(/\s+/);
    // BEIR's three columns, or trec_eval's four (query-id, iteration, corpus-id, score), whose corpus-id would
    // otherwise be read as the score
    const [queryId, docId, score] = cols.length === 4 ? [cols[0], cols[2], cols[3]] : cols.length === 3 ? cols : [];
    if (lineNumber === 1 && score !== undefined && Number.isNaN(Number(score))) return; // header
    if (!queryId || !docId || score === undefined || score.trim() === '' || Number.isNaN(Number(score)))
      throw badInput(
        `${qrelsFile} line ${lineNumber}: expected "query-id<TAB>corpus-id<TAB>score" (or trec_eval's "query-id 0 corpus-id score").`,
      );
    let judged = qrels.get(queryId);
    if (!judged) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, Number(score));
  });
  // Without judgements every metric would be 0 (or the mean of nothing): a broken set, not a result.
  if (qrels.size === 0)
    throw badInput(`${qrelsFile} has no judgements: expected lines "query-id<TAB>corpus-id<TAB>score".`);
  if (!queries.some(q => qrels.has(q.id)))
    throw badInput(
      `No query judged in ${qrelsFile} is in ${queriesFile}: do the two files come from the same data set?`,
    );
  // Nor when no query has a relevant document to find: an empty corpus, another set's corpus, grades all 0.
  const queryIds = new Set(queries.map(q => q.id));
  const relevant = new Set<string>();
  for (const [queryId, judged] of qrels)
    if (queryIds.has(queryId)) for (const [docId, grade] of judged) if (grade > 0) relevant.add(docId);
  if (relevant.size === 0)
    throw badInput(`${qrelsFile} judges no document relevant (a score above 0) to the queries in ${queriesFile}.`);
  if (![...relevant].some(docId => ids.has(docId)))
    throw badInput(
      `No document that ${qrelsFile} judges relevant is in ${corpusFile}${corpus.length === 0 ? ', which is empty.' : ': do the two files come from the same data set?'}`,
    );
  // A judged query that is not in queries.jsonl is never asked: scored, it would count as one nothing was found for
  // (trec_eval, too, scores only the queries a run holds).
  let unasked = 0;
  for (const queryId of [...qrels.keys()])
    if (!queryIds.has(queryId)) {
      qrels.delete(queryId);
      unasked++;
    }
  return { corpus, queries, qrels, unasked };
}

async function readJsonLines(
  file: string,
  signal: AbortSignal | undefined,
  onRow: (row: Record<string, unknown>, where: string) => void,
): Promise<void> {
  await readLines(file, signal, (line, lineNumber) => {
    if (line.trim() === '') return;
    const where = `${file} line ${lineNumber}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw badInput(`${where}: not valid JSON.`);
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row))
      throw badInput(`${where}: expected a JSON object.`);
    onRow(row as Record<string, unknown>, where);
  });
}

async function readLines(
  file: string,
  signal: AbortSignal | undefined,
  onLine: (line: string, lineNumber: number) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      signal?.throwIfAborted();
      onLine(lineNumber === 0 ? line.replace(/^\uFEFF/, '') : line, ++lineNumber);
    }
  } finally {
    lines.close();
  }
}

function idField(row: Record<string, unknown>, where: string): string {
  const id = row['_id'];
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number') return String(id);
  throw badInput(`${where}: missing "_id".`);
}

function stringField(row: Record<string, unknown>, key: string, where: string): string {
  const value = row[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badInput(`${where}: "${key}" must be a string.`);
  return value;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function firstExisting(files: readonly string[]): Promise<string | undefined> {
  for (const file of files) if (await exists(file)) return file;
  return undefined;
}
