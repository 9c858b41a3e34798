/**
 * Many strings stored as one string plus offsets: one object for the garbage collector instead of thousands, cheap
 * to hand between threads and to write to disk. `get(i)` slices on demand.
 */
export class StringList {
  constructor(
    readonly text: string,
    /** length + 1 entries; string i is text[offsets[i], offsets[i + 1]). */
    readonly offsets: Uint32Array,
  ) {}

  static from(strings: readonly string[]): StringList {
    const offsets = new Uint32Array(strings.length + 1);
    let at = 0;
    strings.forEach((s, i) => {
      offsets[i] = at;
      at += s.length;
    });
    offsets[strings.length] = at;
    return new StringList(strings.join(''), offsets);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    return this.text.slice(this.offsets[i] ?? 0, this.offsets[i + 1] ?? 0);
  }

  /** Index of `s` in a list sorted ascending (JS string order), or -1. Compares in place, without slicing. */
  indexOfSorted(s: string): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareAt(mid, s);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Sign of (string i) − s in code-unit order. */
  compareAt(i: number, s: string): number {
    const start = this.offsets[i] ?? 0;
    const length = (this.offsets[i + 1] ?? 0) - start;
    const n = Math.min(length, s.length);
    for (let j = 0; j < n; j++) {
      const d = this.text.charCodeAt(start + j) - s.charCodeAt(j);
      if (d !== 0) return d;
    }
    return length - s.length;
  }

  /** Approximate bytes held (UTF-16 text + offsets). */
  get byteSize(): number {
    return this.text.length * 2 + this.offsets.byteLength;
  }
}
