/** A span of a source document that retrieval returned: the unit that answers cite. */
export interface Passage {
  /** Stable within one index: `passageRef(passage, startLine, endLine)` for local files. */
  id: string;
  /** Display path: relative to its workspace folder (POSIX separators), or a URL for remote rows. */
  path: string;
  /** What a surface opens: an absolute file path, or a URL. */
  location: string;
  /** 1-based, inclusive: a line of the file, or of the cell's text when `cell` is set. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /**
   * The Jupyter notebook cell the lines are in, 1-based (a notebook's file lines are JSON, nothing to cite). A
   * Databricks notebook source has none: its cells are lines of the file, cited as such.
   */
  cell?: number;
  /** The lines are the cell's text outputs, not its source. Only with `cell`. */
  cellOutput?: true;
  /** Heading trail or symbol name, when the chunker found one. */
  title?: string;
  text: string;
  score: number;
}

/**
 * How a passage's lines are named in text (CLI output, prompts, ids): `path:12-20`, or for a notebook cell
 * `path#cell=3:1-4` (lines of the cell's source) and `path#cell=3/output:1-2` (lines of its outputs).
 */
export function passageRef(
  p: Pick<Passage, 'path' | 'cell' | 'cellOutput'>,
  startLine: number,
  endLine: number,
): string {
  return `${passagePlace(p)}:${startLine}-${endLine}`;
}

/** Where a passage's lines are, before their numbers: `path`, or `path#cell=3` (`path#cell=3/output`) in a notebook. */
export function passagePlace(p: Pick<Passage, 'path' | 'cell' | 'cellOutput'>): string {
  return p.cell === undefined ? p.path : `${p.path}#cell=${p.cell}${p.cellOutput ? '/output' : ''}`;
}
