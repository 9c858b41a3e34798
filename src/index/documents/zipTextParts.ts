import { inflateRawSync } from 'node:zlib';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Zip64 marks a size or an offset that did not fit 32 bits: no Word document's text parts are that large. */
const ZIP64 = 0xffffffff;
/** The parts read as text: markup, relationships, and the style map mammoth reads from a document it wrote. */
const TEXT_PART = /\.(?:xml|rels)$|^mammoth\/style-map$/i;

/**
 * A zip's text parts (its `.xml` and `.rels` entries: a Word document's body, styles, numbering, notes and
 * relationships; and mammoth's embedded style map), inflated, by name; 'too-large' when together they inflate past `cap` bytes. Each part is inflated
 * here, never past what is left of the cap, since a directory's sizes are the writer's word: a 60 KB file can inflate
 * to gigabytes of markup, and a parser that converts it whole blocks its thread and runs out of memory long before a
 * timeout can stop it. The parser is then given these parts and no others (see `extractDocx`): a part it would read
 * under another name, or from entries another zip reader finds where this one does not, is not there for it. Media
 * (images) are not inflated: they are never read. 'malformed' when the directory cannot be read.
 */
export function zipTextParts(zip: Buffer, cap: number): Map<string, Buffer> | 'too-large' | 'malformed' {
  const end = endOfDirectory(zip);
  if (end === undefined) return 'malformed';
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let left = cap;
  const parts = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== DIRECTORY_ENTRY) return 'malformed';
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const inflated = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (!TEXT_PART.test(name)) continue;
    if (compressed === ZIP64 || inflated === ZIP64 || local === ZIP64 || inflated > left) return 'too-large';
    const part = entryBytes(zip, local, method, compressed, left);
    if (part === 'malformed' || part === 'too-large') return part;
    left -= part.length;
    parts.set(name, part);
  }
  return parts;
}

/** The offset of the end-of-directory record, found from the end (a comment of up to 64 KB may follow it). */
function endOfDirectory(zip: Buffer): number | undefined {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--)
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  return undefined;
}

/** One entry's bytes, inflated; 'too-large' when they are more than `limit`. */
function entryBytes(
  zip: Buffer,
  local: number,
  method: number,
  compressed: number,
  limit: number,
): Buffer | 'too-large' | 'malformed' {
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL_HEADER) return 'malformed';
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  if (start + compressed > zip.length) return 'malformed';
  const data = zip.subarray(start, start + compressed);
  if (method === 0) return data.length > limit ? 'too-large' : data;
  if (method !== 8) return 'malformed';
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, limit) });
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'malformed';
  }
}
