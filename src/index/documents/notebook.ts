import type { DocumentUnit, ExtractedDocument, UnitKind } from './extractedDocument';

/**
 * Outputs of one cell kept for the index, in characters: enough for a result table's head or an error message,
 * never a whole log. Fixed (not a setting) so a notebook extracts to the same lines wherever it is read back.
 */
export const NOTEBOOK_OUTPUT_CHARS = 2000;

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * A Jupyter notebook's text: every cell's source (markdown, code, raw) in order, then every cell's text outputs
 * (`text/plain` results, stream output, error names; never images or other data), at most NOTEBOOK_OUTPUT_CHARS
 * per cell. Sources come first so their lines do not depend on the outputs. Undefined when the bytes are not a
 * notebook (not JSON, or no cell list).
 */
export function extractNotebook(json: string): ExtractedDocument | undefined {
  const cells = notebookCells(json);
  if (!cells) return undefined;
  const lines: string[] = [];
  const units: DocumentUnit[] = [];
  const add = (text: string, unit: Omit<DocumentUnit, 'start' | 'end'>): void => {
    const own = text.replace(/^\uFEFF/, '').split(LINE_BREAK);
    while (own.length > 0 && own[own.length - 1] === '') own.pop(); // a trailing break starts no line
    if (own.length === 0) return;
    units.push({ ...unit, start: lines.length, end: lines.length + own.length });
    lines.push(...own);
  };
  cells.forEach((cell, i) => add(joined(cell.source ?? cell.input), { kind: cellKind(cell.cell_type), cell: i + 1 }));
  // only a code cell's outputs are shown (and kept when the notebook is saved)
  cells.forEach(
    (cell, i) =>
      cell.cell_type === 'code' && add(outputText(cell.outputs), { kind: 'text', cell: i + 1, output: true }),
  );
  return { kind: 'notebook', text: lines.join('\n'), units };
}

interface RawCell {
  cell_type?: unknown;
  /** nbformat 4. */
  source?: unknown;
  /** nbformat 3. */
  input?: unknown;
  outputs?: unknown;
}

/** The cell types of nbformat 4: a notebook editor shows these cells and leaves out any other entry of the list. */
const CELL_TYPES = new Set<unknown>(['code', 'markdown', 'raw']);

/**
 * The cells of a notebook's JSON, numbered as a notebook editor numbers them: nbformat 4's cells of a known type, or
 * every cell of the first worksheet of nbformat 3 (whose heading cells become markdown cells when it is upgraded).
 * Undefined when there is no cell list.
 */
function notebookCells(json: string): RawCell[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const cells = parsed['cells'];
  if (cells !== undefined && cells !== null)
    return Array.isArray(cells) ? cells.filter(isObject).filter(c => CELL_TYPES.has(c['cell_type'])) : undefined;
  const worksheets = parsed['worksheets'];
  const first = Array.isArray(worksheets) && isObject(worksheets[0]) ? worksheets[0]['cells'] : undefined;
  return Array.isArray(first) ? first.filter(isObject) : undefined;
}

function cellKind(type: unknown): UnitKind {
  if (type === 'markdown') return 'markdown';
  return type === 'code' ? 'code' : 'text';
}

/**
 * A multiline string as notebooks store it: one string, or a list of lines that keep their breaks. A listed line
 * written without its break still ends there, as VS Code's notebook editor reads it (its cell shows it so).
 */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return '';
  const lines = value.filter((v): v is string => typeof v === 'string');
  return lines.map((line, i) => (i < lines.length - 1 && !line.endsWith('\n') ? `${line}\n` : line)).join('');
}

/** A cell's outputs as text, capped: what a person reads of them, without terminal colour codes. */
function outputText(outputs: unknown): string {
  if (!Array.isArray(outputs)) return '';
  return joinedOutputs(outputs.filter(isObject).map(outputPiece));
}

/**
 * The text of one cell's outputs, each output's text (`pieces`, in order) on lines of its own, terminal colour codes
 * off, at most NOTEBOOK_OUTPUT_CHARS: the outputs' lines as the index cites them, whether read from the file or from
 * an open notebook's cells.
 */
export function joinedOutputs(pieces: readonly string[]): string {
  let text = '';
  for (const piece of pieces) {
    if (!piece) continue;
    text += (text && !text.endsWith('\n') ? '\n' : '') + piece.replace(ANSI_ESCAPE, '');
    if (text.length >= NOTEBOOK_OUTPUT_CHARS) return text.slice(0, NOTEBOOK_OUTPUT_CHARS);
  }
  return text;
}

function outputPiece(output: Record<string, unknown>): string {
  switch (output['output_type']) {
    case 'stream':
      return joined(output['text']);
    case 'execute_result':
    case 'display_data':
    case 'pyout': {
      const data = output['data'];
      return isObject(data) ? joined(data['text/plain']) : joined(output['text']);
    }
    case 'error':
    case 'pyerr':
      return [output['ename'], output['evalue']].filter(v => typeof v === 'string').join(': ');
    default:
      return '';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
