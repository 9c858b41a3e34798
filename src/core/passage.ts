/** A span of a source document that retrieval returned: the unit that answers cite. */
export interface Passage {
  /** Stable within one index: `${path}:${startLine}-${endLine}` for local files. */
  id: string;
  /** Display path: relative to its workspace folder (POSIX separators), or a URL for remote rows. */
  path: string;
  /** What a surface opens: an absolute file path, or a URL. */
  location: string;
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /** Heading trail or symbol name, when the chunker found one. */
  title?: string;
  text: string;
  score: number;
}
