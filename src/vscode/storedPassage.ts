import { fingerprintOf, type TextFingerprint } from '../core/locatePassage';
import type { Passage } from '../core/passage';

/**
 * A cited passage as workspace state or a command link keeps it: what opening it needs (where it is, and a
 * fingerprint of its text to find the lines again), never the text itself.
 */
export type StoredPassage = Pick<
  Passage,
  'id' | 'path' | 'location' | 'startLine' | 'endLine' | 'title' | 'cell' | 'cellOutput' | 'page'
> & { fingerprint: TextFingerprint };

/** A passage an answer cites: whole while its conversation is open, stored once restored from workspace state. */
export type CitedPassage = Passage | StoredPassage;

export function toStoredPassage(p: CitedPassage): StoredPassage {
  const { id, path, location, startLine, endLine, title, cell, cellOutput, page } = p;
  const stored: StoredPassage = {
    id,
    path,
    location,
    startLine,
    endLine,
    title,
    fingerprint: 'text' in p ? fingerprintOf(p.text) : p.fingerprint,
  };
  if (cell !== undefined) stored.cell = cell;
  if (cellOutput) stored.cellOutput = cellOutput;
  if (page !== undefined) stored.page = page;
  return stored;
}

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * A stored passage read back from untrusted JSON (a command link's argument): undefined unless every field has
 * its type, so a malformed link opens nothing.
 */
export function parseStoredPassage(value: unknown): StoredPassage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const fp = v.fingerprint as Record<string, unknown> | undefined;
  if (
    typeof v.id !== 'string' ||
    typeof v.path !== 'string' ||
    typeof v.location !== 'string' ||
    (v.title !== undefined && typeof v.title !== 'string') ||
    !isInteger(v.startLine) ||
    !isInteger(v.endLine) ||
    v.startLine < 1 ||
    v.endLine < v.startLine ||
    typeof fp !== 'object' ||
    fp === null ||
    !isInteger(fp.lines) ||
    typeof fp.sha256 !== 'string' ||
    (v.cell !== undefined && !isInteger(v.cell)) ||
    (v.cellOutput !== undefined && v.cellOutput !== true) ||
    (v.page !== undefined && !isInteger(v.page))
  )
    return undefined;
  const stored: StoredPassage = {
    id: v.id,
    path: v.path,
    location: v.location,
    startLine: v.startLine,
    endLine: v.endLine,
    fingerprint: { lines: fp.lines, sha256: fp.sha256 },
  };
  if (typeof v.title === 'string') stored.title = v.title;
  if (v.cell !== undefined) stored.cell = v.cell as number;
  if (v.cellOutput === true) stored.cellOutput = true;
  if (v.page !== undefined) stored.page = v.page as number;
  return stored;
}
