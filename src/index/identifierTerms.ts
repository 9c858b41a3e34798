import { IdentifierTable } from './identifierTable';
import { porterStem } from './porterStemmer';
import { DEFAULT_TOKENIZER_OPTIONS, STOPWORDS, tokenize } from './tokenizer';

const UNDERSCORE = 95;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * An identifier's term numbers under the shipped tokenizer (`tokenize`), cached by the identifier's characters.
 * A new ASCII identifier is split into pieces by character codes — the pieces the tokenizer's PIECE regex finds —
 * and each piece's term is cached as well, so `parseHttpHeaders` after `parse`, `http` and `headers` costs no
 * regex and no stemming. Anything else goes through `tokenize` itself.
 */
export class IdentifierTerms {
  /** identifier → its term numbers (entry ids of `lookup`). */
  readonly table = new IdentifierTable();
  /** piece (original case) → its stemmed term, or none for a stopword. */
  private readonly pieces = new IdentifierTable();
  private readonly ids: number[] = [];

  constructor(private readonly termId: (term: string) => number) {
    const o = DEFAULT_TOKENIZER_OPTIONS;
    if (!o.stopwords || !o.stem || !o.compounds) throw new Error('IdentifierTerms mirrors the default tokenizer options.');
  }

  /** The entry of `table` for the identifier text[start, end) (a match of IDENTIFIER), `hash` its IdentifierTable.hash. */
  lookup(text: string, start: number, end: number, hash = IdentifierTable.hash(text, start, end)): number {
    const entry = this.table.find(text, start, end, hash);
    return entry >= 0 ? entry : this.table.insert(text, start, end, hash, this.analyse(text, start, end));
  }

  private analyse(text: string, start: number, matchEnd: number): number[] {
    let end = matchEnd;
    const quote = text.charCodeAt(end - 2);
    if (end - start > 2 && text.charCodeAt(end - 1) === 115 && (quote === 39 || quote === 0x2019)) end -= 2; // possessive
    for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 128) return tokenize(text.slice(start, matchEnd)).map(this.termId);
    const ids = this.ids;
    ids.length = 0;
    let pieceCount = 0;
    for (let p = start; p < end; ) {
      const c = text.charCodeAt(p);
      if (c === UNDERSCORE) {
        p++;
        continue;
      }
      const q = pieceEnd(text, p, end, c);
      pieceCount++;
      const piece = this.piece(text, p, q);
      const table = this.pieces;
      for (let i = table.idStart(piece), last = table.idEnd(piece); i < last; i++) ids.push(table.ids[i] ?? 0);
      p = q;
    }
    if (pieceCount > 1) {
      const whole = text.slice(start, end);
      ids.push(this.termId((whole.includes('_') ? whole.replace(/_/g, '') : whole).toLowerCase()));
    }
    return ids;
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
