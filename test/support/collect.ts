// Reads a stream to its end: the unit, host and bench tests read answers (and other async streams) this way.

/** Every item of `items`, in order; `onItem` sees each as it arrives (to cancel mid-stream, say). */
export async function collect<T>(items: AsyncIterable<T>, onItem?: (item: T) => void): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
    onItem?.(item);
  }
  return out;
}
