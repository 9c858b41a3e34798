/** A document number with its score. */
export interface ScoredDoc {
  doc: number;
  score: number;
}

/**
 * The k best of `candidates` by `scores[doc]`, best first; equal scores keep the lower document number first.
 * A bounded min-heap: O(n log k), never a sort of every candidate.
 */
export function topK(candidates: ArrayLike<number>, scores: ArrayLike<number>, k: number): ScoredDoc[] {
  if (k <= 0) return [];
  const heap: ScoredDoc[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const doc = candidates[i] ?? 0;
    const item = { doc, score: scores[doc] ?? 0 };
    if (heap.length < k) {
      heap.push(item);
      siftUp(heap, heap.length - 1);
    } else if (heap[0] && worse(heap[0], item)) {
      heap[0] = item;
      siftDown(heap, 0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

/** a ranks below b. */
function worse(a: ScoredDoc, b: ScoredDoc): boolean {
  return a.score < b.score || (a.score === b.score && a.doc > b.doc);
}

function siftUp(heap: ScoredDoc[], i: number): void {
  const item = heap[i];
  if (!item) return;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (!p || !worse(item, p)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = item;
}

function siftDown(heap: ScoredDoc[], i: number): void {
  const item = heap[i];
  if (!item) return;
  const n = heap.length;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    const right = heap[child + 1];
    const left = heap[child];
    if (right && left && worse(right, left)) child++;
    const c = heap[child];
    if (!c || !worse(c, item)) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = item;
}
