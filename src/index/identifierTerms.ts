import { IdentifierTable } from './identifierTable';
import { porterStem } from './porterStemmer';
import { DEFAULT_TOKENIZER_OPTIONS, STOPWORDS } from './tokenizer';

const UNDERSCORE = 95;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The terms of one identifier: its pieces' terms, and whether the compound term follows them. */
export interface IdentifierAnalysis {
  /** Valid until the next call. */
  pieceIds: readonly number[];
  /** More than one piece: the identifier lowercased without underscores (and without a possessive) is a term too. */
  compound: boolean;
}

/**
 * The pieces of an ASCII identifier under the shipped tokenizer (`tokenize`), split by character codes — the pieces
 * the tokenizer's PIECE regex finds — with each piece's term cached, so `parseHttpHeaders` after `parse`, `http`
 * and `headers` costs no regex and no stemming. (The WebAssembly term counter caches whole identifiers and makes
 * the compound term itself.)
 */
export class IdentifierTerms {
  /** piece (original case) → its stemmed term, or none for a stopword. */
  private readonly pieces = new IdentifierTable();
  private readonly analysis: { pieceIds: number[]; compound: boolean } = { pieceIds: [], compound: false };

  constructor(private readonly termId: (term: string) => number) {
    const o = DEFAULT_TOKENIZER_OPTIONS;
    if (!o.stopwords || !o.stem || !o.compounds) throw new Error('IdentifierTerms mirrors the default tokenizer options.');
  }

  /** Analyses `identifier`, one match of IDENTIFIER made of ASCII characters only. */
  analyse(identifier: string): IdentifierAnalysis {
    let end = identifier.length;
    if (end > 2 && identifier.charCodeAt(end - 1) === 115 && identifier.charCodeAt(end - 2) === 39) end -= 2; // possessive
    const ids = this.analysis.pieceIds;
    ids.length = 0;
    let pieceCount = 0;
    for (let p = 0; p < end; ) {
      const c = identifier.charCodeAt(p);
      if (c === UNDERSCORE) {
        p++;
        continue;
      }
      const q = pieceEnd(identifier, p, end, c);
      pieceCount++;
      const piece = this.piece(identifier, p, q);
      const table = this.pieces;
      for (let i = table.idStart(piece), last = table.idEnd(piece); i < last; i++) ids.push(table.ids[i] ?? 0);
      p = q;
    }
    this.analysis.compound = pieceCount > 1;
    return this.analysis;
  }

  private piece(text: string, start: number, end: number): number {
    const hash = IdentifierTable.hash(text, start, end);
    const entry = this.pieces.find(text, start, end, hash);
    if (entry >= 0) return entry;
    const lower = text.slice(start, end).toLowerCase();
    return this.pieces.insert(text, start, end, hash, STOPWORDS.has(lower) ? [] : [this.termId(porterStem(lower))]);
  }
}

/**
 * Where the piece starting at `p` (character `c`, not `_`) ends, as PIECE = `\p{Lu}+(?![\p{Ll}\p{M}])|
 * \p{Lu}?[\p{Ll}…]+|\p{Lu}+|\p{N}+` decides for ASCII: digits; lowercase letters; an uppercase run, minus its last
 * letter when a lowercase one follows (`HTTPServer` → `HTTP`, `Server`); one capital with its lowercase tail.
 */
function pieceEnd(text: string, p: number, end: number, c: number): number {
  let q = p + 1;
  if (isDigit(c)) {
    while (q < end && isDigit(text.charCodeAt(q))) q++;
    return q;
  }
  if (isLower(c)) {
    while (q < end && isLower(text.charCodeAt(q))) q++;
    return q;
  }
  while (q < end && isUpper(text.charCodeAt(q))) q++;
  if (q >= end || !isLower(text.charCodeAt(q))) return q;
  if (q - 1 > p) return q - 1;
  while (q < end && isLower(text.charCodeAt(q))) q++;
  return q;
}
