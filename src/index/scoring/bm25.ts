/** What one document contributes to the index; title and path are boosted fields. */
export interface Bm25Fields {
  text: string;
  /** Heading trail or symbol names. */
  title?: string;
  /** Display path of the file the chunk comes from. */
  path?: string;
}

export interface Bm25Params {
  k1: number;
  b: number;
  /** A title term counts this many times a body term (in tf and in document length). Whole numbers. */
  titleBoost: number;
  pathBoost: number;
}

/** Chosen once (Robertson's usual k1/b; modest field boosts), never per data set. */
export const DEFAULT_BM25_PARAMS: Readonly<Bm25Params> = { k1: 1.2, b: 0.75, titleBoost: 2, pathBoost: 1 };

/** Inverse document frequency, exactly: ln(1 + (N − df + 0.5) / (df + 0.5)). */
export const bm25Idf = (docCount: number, df: number): number => Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
