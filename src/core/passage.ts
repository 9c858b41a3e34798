/** A span of a source document that retrieval returned: the unit that answers cite. */
export interface Passage {
  /** Stable within one index: `passageRef(passage, startLine, endLine)` for local files. */
  id: string;
  /** Display path: relative to its workspace folder (POSIX separators), or a URL for remote rows. */
  path: string;
  /** What a surface opens: an absolute file path, or a URL. */
  location: string;
  /**
   * 1-based, inclusive: a line of the file, of the cell's text when `cell` is set, of the page's text when `page` is
   * set, or of the extracted text of a Word document.
   */
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
  /**
   * The PDF page the lines are on, 1-based: the lines are lines of that page's extracted text (a PDF has no lines of
   * its own to cite).
   */
  page?: number;
  /**
   * The lines are prose (split into sentences when a citation is aligned) or not, where the file's name does not
   * say: a notebook's markdown cell. Unset: the name decides.
   */
  prose?: boolean;
  /** Heading trail or symbol name, when the chunker found one. */
  title?: string;
  text: string;
  score: number;
}

/**
 * How a passage's lines are named in text (CLI output, prompts, ids): `path:12-20`, or for a notebook cell
 * `path#cell=3:1-4` (lines of the cell's source) and `path#cell=3/output:1-2` (lines of its outputs), or for a PDF
 * page `path#page=4:1-6` (lines of the page's extracted text).
 */
export function passageRef(
  p: Pick<Passage, 'path' | 'cell' | 'cellOutput' | 'page'>,
  startLine: number,
  endLine: number,
): string {
  return `${passagePlace(p)}:${startLine}-${endLine}`;
}

/**
 * How a passage's lines are named where people read them (the CLI's sources and search results, chat's Sources): as
 * passageRef names them, but one line as `path:56`, not `path:56-56`. Ids, prompts and the agent tools' refs keep
 * passageRef's `start-end`, which scripts and models parse.
 */
export function passageLabel(
  p: Pick<Passage, 'path' | 'cell' | 'cellOutput' | 'page'>,
  startLine: number,
  endLine: number,
): string {
  return `${passagePlace(p)}:${lineSpan(startLine, endLine)}`;
}

/** A range of lines as `12-20`, or `12` alone for one line: after a path and its colon where people read it. */
export function lineSpan(startLine: number, endLine: number): string {
  return startLine === endLine ? String(startLine) : `${startLine}-${endLine}`;
}

/**
 * Where a passage's lines are, before their numbers: `path`, `path#cell=3` (`path#cell=3/output`) in a notebook, or
 * `path#page=4` in a PDF.
 */
export function passagePlace(p: Pick<Passage, 'path' | 'cell' | 'cellOutput' | 'page'>): string {
  if (p.page !== undefined) return `${p.path}#page=${p.page}`;
  return p.cell === undefined ? p.path : `${p.path}#cell=${p.cell}${p.cellOutput ? '/output' : ''}`;
}
