import type { DocumentUnit, ExtractedDocument, UnitKind } from './extractedDocument';

/** The first line of a notebook exported from Databricks as source, by the comment syntax of its language. */
const MARKER = /^\uFEFF?(?:#|--|\/\/) Databricks notebook source\s*$/;
/** The line between two cells. */
const SEPARATOR = /^(?:#|--|\/\/) COMMAND -{10}\s*$/;
/** The prefix of a cell line run by a magic command (`%md`, `%sql`, …). */
const MAGIC = /^(?:#|--|\/\/) MAGIC ?/;
/** A cell's first line naming its language: `%md` makes the cell markdown; the rest of the line is its text. */
const MAGIC_COMMAND = /^\s*%(\w+)[ \t]?/;
const LINE_BREAK = /\r\n|\r|\n/;
const SOURCE_EXTENSIONS = new Set(['py', 'sql', 'scala', 'r']);

/** Whether a file may be a Databricks notebook source, by its extension (its first line decides). */
export function mayBeDatabricksSource(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 && SOURCE_EXTENSIONS.has(name.slice(dot + 1));
}

/**
 * A Databricks notebook source's text for the index: the file's lines, one for one, with the `MAGIC` comment prefixes
 * taken off (so a `%md` cell reads as markdown) and the marker and separator lines left empty; one unit per cell.
 * Lines stay where they are, so citations name the file's own lines. Undefined when the first line is not the marker.
 */
export function extractDatabricksSource(text: string): ExtractedDocument | undefined {
  const lines = text.split(LINE_BREAK);
  if (!MARKER.test(lines[0] ?? '')) return undefined;
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // a trailing break starts no line
  const units: DocumentUnit[] = [];
  let cell = 0;
  let start = 1;
  const close = (end: number): void => {
    cell++;
    const kind = cellKind(lines, start, end);
    if (lines.slice(start, end).some(l => l.trim() !== '')) units.push({ kind, cell, start, end });
  };
  lines[0] = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SEPARATOR.test(line)) {
      close(i);
      lines[i] = '';
      start = i + 1;
    } else {
      lines[i] = line.replace(MAGIC, '');
    }
  }
  close(lines.length);
  // Trailing empty lines are no lines of the joined text: no unit may name them.
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const kept = units.map(u => ({ ...u, end: Math.min(u.end, lines.length) })).filter(u => u.end > u.start);
  return { kind: 'databricks', text: lines.join('\n'), units: kept };
}

/** A cell's kind by its first non-blank line's magic command; that command is taken off the line it is on. */
function cellKind(lines: string[], start: number, end: number): UnitKind {
  for (let i = start; i < end; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const magic = MAGIC_COMMAND.exec(line);
    if (!magic) return 'code';
    lines[i] = line.slice(magic[0].length);
    return magic[1] === 'md' ? 'markdown' : 'code';
  }
  return 'code';
}
