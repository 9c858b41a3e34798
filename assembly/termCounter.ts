// AssemblyScript: the index builder's hot loop, compiled to WebAssembly (src/index/termCounterWasm.ts holds the
// result; `npm run build:wasm` rebuilds it, `npm test` fails when it is stale). The host side is
// src/index/wasmTermCounter.ts, which owns the rules of the tokenizer: this module only finds identifiers in UTF-8
// bytes, remembers each one's term numbers, and counts them.
//
// It finds the matches of the tokenizer's IDENTIFIER in ASCII text — letters/digits joined by underscores, with a
// possessive `'s` — and asks the host (`analyse`) for the term numbers of each identifier it has not seen before.
// A stretch holding any byte ≥ 128, up to the next ASCII separator, goes to the host whole (`span`), which runs the
// tokenizer's own regex over it: no match crosses an ASCII separator, so the counts are exactly those of tokenize.
//
// Memory is a bump heap (the stub runtime): every table grows by reallocating to twice its size.

@external('env', 'analyse')
declare function analyse(start: usize, end: usize): u32; // writes the term numbers to `scratch`, returns how many
@external('env', 'span')
declare function span(start: usize, end: usize, weight: u32): void; // counts the span's terms with countId

const SEPARATOR: u8 = 0;
const ALNUM: u8 = 1;
const UNDERSCORE: u8 = 2;
const QUOTE: u8 = 3;
const HIGH: u8 = 4;
const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;
/** An entry: hash, key start, key length, first id (its last is the next entry's first). */
const ENTRY_BYTES: usize = 16;

const classes: usize = memory.data(256);
let maxEntries: u32 = 1 << 20;

let slots: usize = 0;
let slotMask: u32 = 0;
let entries: usize = 0;
let entryCap: u32 = 0;
let entryCount: u32 = 0;
let keys: usize = 0;
let keyCap: usize = 0;
let keyUsed: usize = 0;
let ids: usize = 0;
let idCap: u32 = 0;
let idUsed: u32 = 0;
let counts: usize = 0;
let touched: usize = 0;
let drained: usize = 0;
let countCap: u32 = 0;
let touchedCount: u32 = 0;
let scratch: usize = 0;
let scratchCap: u32 = 0;
let file: usize = 0;
let fileCap: usize = 0;
let text: usize = 0;
let textCap: usize = 0;

/** Sets up the tables; an identifier table holding `entryLimit` identifiers starts over (bounds its memory). */
export function init(entryLimit: u32): void {
  for (let c = 0; c < 256; c++) {
    let k = SEPARATOR;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) k = ALNUM;
    else if (c == 95) k = UNDERSCORE;
    else if (c == 39) k = QUOTE;
    else if (c >= 128) k = HIGH;
    store<u8>(classes + c, k);
  }
  maxEntries = entryLimit;
  slotMask = 4095;
  slots = zeroed(4096 << 2);
  entryCap = 1024;
  entries = heap.alloc(<usize>(entryCap + 1) * ENTRY_BYTES);
  keyCap = 16384;
  keys = heap.alloc(keyCap);
  idCap = 4096;
  ids = heap.alloc(<usize>idCap << 2);
  countCap = 4096;
  counts = zeroed(<usize>countCap << 2);
  touched = heap.alloc(<usize>countCap << 2);
  drained = heap.alloc(<usize>countCap << 2);
  scratchCap = 256;
  scratch = heap.alloc(<usize>scratchCap << 2);
  clear();
}

/** Where the host writes up to `n` term numbers for `analyse`. */
export function scratchFor(n: u32): usize {
  if (n > scratchCap) {
    scratchCap = max(n, scratchCap * 2);
    scratch = heap.alloc(<usize>scratchCap << 2);
  }
  return scratch;
}

/** Where the host writes a file's `n` bytes, whose chunks it then counts. */
export function fileFor(n: usize): usize {
  if (n > fileCap) {
    fileCap = max(n, fileCap * 2);
    file = heap.alloc(fileCap);
  }
  return file;
}

/** Where the host writes `n` bytes of a string to count (a title, a path), apart from the file. */
export function textFor(n: usize): usize {
  if (n > textCap) {
    textCap = max(n, textCap * 2);
    text = heap.alloc(textCap);
  }
  return text;
}

/** Counted terms (touched, drained): valid after `drain`, until the next call. */
export function touchedAt(): usize {
  return touched;
}
export function drainedAt(): usize {
  return drained;
}
export function identifierCount(): u32 {
  return entryCount;
}

/** Adds `weight` to term `id` in the current document. */
export function countId(id: u32, weight: u32): void {
  if (id >= countCap) growCounts(id);
  const at = counts + (<usize>id << 2);
  const before = load<u32>(at);
  if (before == 0) {
    store<u32>(touched + (<usize>touchedCount << 2), id);
    touchedCount++;
  }
  store<u32>(at, before + weight);
}

/** Counts (id, count) pairs written at `scratch`, each count times `weight`. */
export function countPairs(n: u32, weight: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const at = scratch + (<usize>i << 3);
    countId(load<u32>(at), load<u32>(at + 4) * weight);
  }
}

/** Ends a document: its terms (first-seen order) at touchedAt(), their counts at drainedAt(); returns how many. */
export function drain(): u32 {
  const n = touchedCount;
  for (let i: u32 = 0; i < n; i++) {
    const at = counts + (<usize>load<u32>(touched + (<usize>i << 2)) << 2);
    store<u32>(drained + (<usize>i << 2), load<u32>(at));
    store<u32>(at, 0);
  }
  touchedCount = 0;
  return n;
}

/** Counts the identifiers in the bytes at [from, last), each of their terms `weight` times. */
export function count(from: usize, last: usize, weight: u32): void {
  let i = from;
  while (i < last) {
    let c = <u32>load<u8>(i);
    let k = load<u8>(classes + c);
    if (k != ALNUM) {
      if (k == HIGH) i = toHost(i, last, weight);
      else i++;
      continue;
    }
    const start = i;
    let h = (FNV_OFFSET ^ c) * FNV_PRIME;
    let high = false;
    // Letters/digits, then any number of (underscores, letters/digits).
    while (true) {
      i++;
      while (i < last) {
        c = load<u8>(i);
        if (load<u8>(classes + c) != ALNUM) break;
        h = (h ^ c) * FNV_PRIME;
        i++;
      }
      if (i >= last) break;
      k = load<u8>(classes + c);
      if (k == HIGH) {
        high = true;
        break;
      }
      if (k != UNDERSCORE) break;
      let j = i + 1;
      while (j < last && load<u8>(j) == 95) j++;
      if (j >= last) break;
      c = load<u8>(j);
      k = load<u8>(classes + c);
      if (k == HIGH) {
        high = true;
        break;
      }
      if (k != ALNUM) break;
      for (; i < j; i++) h = (h ^ 95) * FNV_PRIME;
      h = (h ^ c) * FNV_PRIME;
    }
    if (high) {
      i = toHost(start, last, weight);
      continue;
    }
    // A possessive `'s` at a word boundary belongs to the match (the host's analysis drops it).
    let stop = i;
    if (i + 1 < last && load<u8>(i) == 39 && load<u8>(i + 1) == 115 && (i + 2 >= last || !isWordByte(load<u8>(i + 2)))) {
      stop = i + 2;
      h = (((h ^ 39) * FNV_PRIME) ^ 115) * FNV_PRIME;
    }
    const length = <u32>(stop - start);
    let entry = find(start, length, h);
    if (entry < 0) entry = <i32>insert(start, length, h, analyse(start, stop));
    const record = entries + <usize>entry * ENTRY_BYTES;
    const idEnd = load<u32>(record + ENTRY_BYTES + 12);
    for (let id = load<u32>(record + 12); id < idEnd; id++) countId(load<u32>(ids + (<usize>id << 2)), weight);
    i = stop;
  }
}

/** Hands the stretch from `from` to the next ASCII separator to the host; returns where it ends. */
function toHost(from: usize, last: usize, weight: u32): usize {
  let j = from;
  while (j < last) {
    const c = load<u8>(j);
    if (c < 128 && load<u8>(classes + c) == SEPARATOR) break;
    j++;
  }
  span(from, j, weight);
  return j;
}

@inline
function isWordByte(c: u32): bool {
  const k = load<u8>(classes + c);
  return k == ALNUM || k == UNDERSCORE;
}

function find(start: usize, length: u32, h: u32): i32 {
  let slot = h & slotMask;
  while (true) {
    const e = load<u32>(slots + (<usize>slot << 2));
    if (e == 0) return -1;
    const record = entries + <usize>(e - 1) * ENTRY_BYTES;
    if (load<u32>(record) == h && load<u32>(record + 8) == length && memory.compare(keys + <usize>load<u32>(record + 4), start, length) == 0) {
      return <i32>(e - 1);
    }
    slot = (slot + 1) & slotMask;
  }
  return -1;
}

/** Adds the identifier (not present) with the `n` term numbers at `scratch`; returns its entry. */
function insert(start: usize, length: u32, h: u32, n: u32): u32 {
  if (entryCount >= maxEntries) clear();
  if (entryCount + 1 >= entryCap) {
    entryCap *= 2;
    entries = heap.realloc(entries, <usize>(entryCap + 1) * ENTRY_BYTES);
  }
  if (keyUsed + length > keyCap) {
    keyCap = max(keyCap * 2, keyUsed + length);
    keys = heap.realloc(keys, keyCap);
  }
  if (idUsed + n > idCap) {
    idCap = max(idCap * 2, idUsed + n);
    ids = heap.realloc(ids, <usize>idCap << 2);
  }
  const e = entryCount++;
  const record = entries + <usize>e * ENTRY_BYTES;
  store<u32>(record, h);
  store<u32>(record + 4, <u32>keyUsed);
  store<u32>(record + 8, length);
  memory.copy(keys + keyUsed, start, length);
  keyUsed += length;
  memory.copy(ids + (<usize>idUsed << 2), scratch, <usize>n << 2);
  idUsed += n;
  store<u32>(record + ENTRY_BYTES + 12, idUsed);
  if (entryCount * 2 > slotMask) rehash();
  else place(e, h);
  return e;
}

function place(e: u32, h: u32): void {
  let slot = h & slotMask;
  while (load<u32>(slots + (<usize>slot << 2)) != 0) slot = (slot + 1) & slotMask;
  store<u32>(slots + (<usize>slot << 2), e + 1);
}

function rehash(): void {
  const count = (slotMask + 1) * 2;
  heap.free(slots);
  slots = zeroed(<usize>count << 2);
  slotMask = count - 1;
  for (let e: u32 = 0; e < entryCount; e++) place(e, load<u32>(entries + <usize>e * ENTRY_BYTES));
}

function clear(): void {
  memory.fill(slots, 0, <usize>(slotMask + 1) << 2);
  entryCount = 0;
  keyUsed = 0;
  idUsed = 0;
  store<u32>(entries + 12, 0);
}

function growCounts(id: u32): void {
  const cap = max(countCap * 2, id + 1);
  const grownCounts = zeroed(<usize>cap << 2);
  memory.copy(grownCounts, counts, <usize>countCap << 2);
  counts = grownCounts;
  touched = heap.realloc(touched, <usize>cap << 2);
  drained = heap.realloc(drained, <usize>cap << 2);
  countCap = cap;
}

function zeroed(bytes: usize): usize {
  const at = heap.alloc(bytes);
  memory.fill(at, 0, bytes);
  return at;
}
