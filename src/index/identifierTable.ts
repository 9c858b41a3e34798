import { grown } from './growableArray';
/**
 * identifier → its term numbers, looked up by the identifier's characters in place (text, start, end) so a
 * repeated identifier costs a hash and a compare, never a string. Open addressing over typed arrays; keys are
 * copied into a character pool, so the table holds no slice of the (large) file texts it was fed.
 */
export class IdentifierTable {
  private slots: Int32Array;
  private mask: number;
  private hashes = new Int32Array(1024);
  private keyStarts = new Uint32Array(1025);
  private keyChars = new Uint16Array(1 << 16);
  private keyCharCount = 0;
  private idStarts = new Uint32Array(1025);
  /** All entries' term numbers: entry e's are ids[idStart(e), idEnd(e)). */
  ids = new Uint32Array(1 << 14);
  size = 0;

  constructor(private readonly maxEntries = 1 << 20) {
    this.slots = new Int32Array(1 << 12).fill(-1);
    this.mask = this.slots.length - 1;
  }

  /** FNV-1a over the characters text[start, end). */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h;
  }

  idStart(entry: number): number {
    return this.idStarts[entry] ?? 0;
  }

  idEnd(entry: number): number {
    return this.idStarts[entry + 1] ?? 0;
  }

  /** The entry of text[start, end), or -1. */
  find(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.slots[slot] ?? -1;
      if (entry < 0) return -1;
      if (this.hashes[entry] !== hash) continue;
      const keyStart = this.keyStarts[entry] ?? 0;
      if ((this.keyStarts[entry + 1] ?? 0) - keyStart !== length) continue;
      let i = 0;
      while (i < length && this.keyChars[keyStart + i] === text.charCodeAt(start + i)) i++;
      if (i === length) return entry;
    }
  }

  /** Adds text[start, end) (not present) with its term numbers; returns its entry. Full tables start over. */
  insert(text: string, start: number, end: number, hash: number, termIds: ArrayLike<number>): number {
    if (this.size >= this.maxEntries) this.clear();
    const entry = this.size++;
    if (entry + 2 > this.hashes.length) this.growEntries();
    const length = end - start;
    if (this.keyCharCount + length > this.keyChars.length) this.keyChars = grown(this.keyChars, this.keyCharCount + length);
    const keyStart = this.keyCharCount;
    for (let i = 0; i < length; i++) this.keyChars[keyStart + i] = text.charCodeAt(start + i);
    this.keyCharCount += length;
    this.hashes[entry] = hash;
    this.keyStarts[entry] = keyStart;
    this.keyStarts[entry + 1] = this.keyCharCount;
    const idStart = this.idStarts[entry] ?? 0;
    if (idStart + termIds.length > this.ids.length) this.ids = grown(this.ids, idStart + termIds.length);
    for (let i = 0; i < termIds.length; i++) this.ids[idStart + i] = termIds[i] ?? 0;
    this.idStarts[entry + 1] = idStart + termIds.length;
    if (this.size * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(entry);
    return entry;
  }

  private place(entry: number): void {
    let slot = (this.hashes[entry] ?? 0) & this.mask;
    while ((this.slots[slot] ?? -1) >= 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount).fill(-1);
    this.mask = slotCount - 1;
    for (let e = 0; e < this.size; e++) this.place(e);
  }

  private growEntries(): void {
    const n = this.hashes.length * 2;
    this.hashes = grown(this.hashes, n);
    this.keyStarts = grown(this.keyStarts, n + 1);
    this.idStarts = grown(this.idStarts, n + 1);
  }

  private clear(): void {
    this.size = 0;
    this.keyCharCount = 0;
    this.slots.fill(-1);
  }
}
