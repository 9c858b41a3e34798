/** A copy of `array` at least `atLeast` long (at least twice as long), its contents at the start. */
export function grown<T extends Uint8Array | Uint16Array | Int32Array | Uint32Array>(array: T, atLeast: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(atLeast, array.length * 2));
  bigger.set(array);
  return bigger;
}

/** A Uint32Array that grows by doubling: postings are collected here without a JS array per term. */
export class GrowableUint32 {
  private data: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Uint32Array(Math.max(1, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) this.data = grown(this.data, this.length + 1);
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i] ?? 0;
  }

  /** A trimmed copy. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}
