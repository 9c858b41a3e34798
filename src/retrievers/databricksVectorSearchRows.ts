import { GroundedError } from '../core/errors';
import type { Passage } from '../core/passage';
import { uncitablePathReason, type RefusedPath } from './citablePath';

/** Which index columns hold what (`grounded.databricksVectorSearch.*Column`). */
export interface VectorSearchColumns {
  text: string;
  path: string;
  /** 1-based line columns; without them a passage cites its whole text from line 1. */
  startLine?: string;
  endLine?: string;
  title?: string;
}

/** The documented reply of `query` and `query-next-page`. */
export interface QueryReply {
  manifest?: { column_count?: number; columns?: { name?: string }[] };
  result?: { row_count?: number; data_array?: unknown[][] };
  next_page_token?: string;
}

/**
 * Maps `data_array` rows to passages by the manifest's column order; `score` is the column Databricks appends. A row
 * whose path may not be cited (see `uncitablePathReason`) is left out and added to `refused`.
 */
export function rowsToPassages(
  reply: QueryReply,
  columns: VectorSearchColumns,
  indexName: string,
  locate?: (path: string) => string,
  refused: RefusedPath[] = [],
): Passage[] {
  const names = (reply.manifest?.columns ?? []).map(c => c.name ?? '');
  const rows = reply.result?.data_array ?? [];
  if (rows.length === 0) return [];
  const at = (column: string | undefined, setting: string): number | undefined => {
    if (!column) return undefined;
    const i = names.indexOf(column);
    if (i < 0)
      throw new GroundedError(
        'index',
        `The index ${indexName} returned no column “${column}”. Set grounded.databricksVectorSearch.${setting} to one of: ${names.filter(n => n !== 'score').join(', ')}.`,
      );
    return i;
  };
  const text = at(columns.text, 'textColumn') ?? 0;
  const path = at(columns.path, 'pathColumn') ?? 0;
  const start = at(columns.startLine, 'startLineColumn');
  const end = at(columns.endLine, 'endLineColumn');
  const title = at(columns.title, 'titleColumn');
  const score = names.lastIndexOf('score');
  return rows.flatMap(row => {
    const body = String(row[text] ?? '');
    const where = String(row[path] ?? '');
    const reason = uncitablePathReason(where);
    if (reason) {
      refused.push({ path: where, reason });
      return [];
    }
    const startLine = positiveInt(start === undefined ? 1 : row[start]) ?? 1;
    const endLine = Math.max(
      startLine,
      positiveInt(end === undefined ? undefined : row[end]) ?? startLine + Math.max(0, body.split('\n').length - 1),
    );
    const passage: Passage = {
      id: `${where}:${startLine}-${endLine}`,
      path: where,
      location: locate?.(where) ?? where,
      startLine,
      endLine,
      text: body,
      score: score >= 0 ? Number(row[score] ?? 0) : 0,
    };
    const heading = title === undefined ? undefined : row[title];
    if (typeof heading === 'string' && heading) passage.title = heading;
    return [passage];
  });
}

/** Line columns arrive as numbers or as strings (BIGINT), depending on the index's schema. */
function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
