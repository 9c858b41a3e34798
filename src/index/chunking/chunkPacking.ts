import type { TextLines } from './textLines';

/** Lines [start, end) of a file (0-based, end exclusive), with an optional title. */
export interface LineUnit {
  start: number;
  end: number;
  title?: string;
}

/** A chunk stops growing once it has this many lines… */
export const MIN_CHUNK_LINES = 40;
/** …never packs neighbours past this many, and a longer unit is split near here (the hard cap). */
export const MAX_CHUNK_LINES = 80;
/** Long lines: also cap a chunk's characters, so a prompt with k passages stays bounded. */
export const MAX_CHUNK_CHARS = 8000;
const MAX_TITLES = 4;
/** A piece this short joins the chunk before it even when that chunk is big enough (within the caps). */
const SMALL_PIECE_LINES = 10;

/**
 * Finds a title for lines [start, end) of a large unit's piece after its first (code symbols); undefined when
 * none. A unit's own title comes with it, and its first piece has that title.
 */
export type PieceTitle = (lines: TextLines, start: number, end: number) => string | undefined;

/**
 * Turns contiguous units that cover the file into chunks: a unit longer than the caps is split at its best
 * boundaries, then small neighbours are packed together until a chunk reaches MIN_CHUNK_LINES (a very short
 * piece still joins the chunk before it, so no chunk is a lone closing line).
 */
export function packUnits(lines: TextLines, units: readonly LineUnit[], pieceTitle?: PieceTitle): LineUnit[] {
  const pieces = units.flatMap(u => splitLarge(lines, u, pieceTitle));
  const out: LineUnit[] = [];
  let current: { start: number; end: number; chars: number; titles: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    // `Guide` adds nothing next to `Guide > Install`: keep the deepest trail of each branch.
    const kept = current.titles.filter(t => !current?.titles.some(u => u.startsWith(t + ' > ')));
    const title = kept.slice(0, MAX_TITLES).join('; ') + (kept.length > MAX_TITLES ? '; …' : '');
    out.push(title ? { start: current.start, end: current.end, title } : { start: current.start, end: current.end });
  };
  for (const piece of pieces) {
    const chars = lines.chars(piece.start, piece.end);
    const fits =
      current !== undefined &&
      (current.end - current.start < MIN_CHUNK_LINES || piece.end - piece.start < SMALL_PIECE_LINES) &&
      piece.end - current.start <= MAX_CHUNK_LINES &&
      current.chars + chars <= MAX_CHUNK_CHARS;
    if (current && fits) {
      current.end = piece.end;
      current.chars += chars;
      if (piece.title && !current.titles.includes(piece.title)) current.titles.push(piece.title);
    } else {
      flush();
      current = { start: piece.start, end: piece.end, chars, titles: piece.title ? [piece.title] : [] };
    }
  }
  flush();
  return out;
}

/** Splits a unit over the caps, preferring paragraph breaks, then the least indented line. */
function splitLarge(lines: TextLines, unit: LineUnit, pieceTitle?: PieceTitle): LineUnit[] {
  const outer = unit.title;
  const out: LineUnit[] = [];
  let start = unit.start;
  while (start < unit.end) {
    const limit = capEnd(lines, start, unit.end);
    const end = limit >= unit.end ? unit.end : bestBreak(lines, start, limit);
    const inner = start === unit.start ? undefined : pieceTitle?.(lines, start, end);
    const title = outer && inner && inner !== outer ? `${outer} > ${inner}` : (outer ?? inner);
    out.push(title ? { start, end, title } : { start, end });
    start = end;
  }
  return out;
}

/** The furthest end from `start` that stays within both caps (at least one line). */
function capEnd(lines: TextLines, start: number, to: number): number {
  const lineCap = Math.min(to, start + MAX_CHUNK_LINES);
  if (lines.chars(start, lineCap) <= MAX_CHUNK_CHARS) return lineCap;
  let end = start;
  let chars = 0;
  while (end < to && end - start < MAX_CHUNK_LINES) {
    const len = lines.width(end) + 1;
    if (end > start && chars + len > MAX_CHUNK_CHARS) break;
    chars += len;
    end++;
  }
  return end;
}

/** A break in the second half of (start, limit]: after a blank line first, then at the least indentation, then latest. */
function bestBreak(lines: TextLines, start: number, limit: number): number {
  let best = limit;
  let bestCost = Infinity;
  let blank = lines.isBlank(limit);
  for (let b = limit; b > start + Math.floor((limit - start) / 2); b--) {
    const afterBlank = lines.isBlank(b - 1);
    if (!blank) {
      const cost = (afterBlank ? 0 : 1000) + lines.indentation(b);
      if (cost < bestCost) {
        bestCost = cost;
        best = b;
      }
    }
    blank = afterBlank;
  }
  return best;
}
