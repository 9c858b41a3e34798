import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { TextLines } from '../chunking/textLines';
import { isNotebookPath } from '../documents/documents';
import type { ExtractedDocument } from '../documents/extractedDocument';
import type { SkipReason } from './skipReasons';

const BINARY_SNIFF_BYTES = 8192;
/**
 * Files are opened without blocking: a path that became a pipe (or a link to one) would otherwise hold the open
 * until something writes to it; the fstat that follows turns it away. No effect on regular files.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Files larger than this are skipped unless the settings say otherwise (`grounded.index.maxFileSizeKB`). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** The largest file size limit a setting can ask for: a file is read whole into memory, as bytes and as text. */
export const MAX_FILE_BYTES_LIMIT = 10 * 1024 * 1024;

/** The file size limit to apply: the one asked for, within 1 byte and MAX_FILE_BYTES_LIMIT; the default when none or not a number. */
export function fileByteLimit(asked: number | undefined): number {
  if (asked === undefined || !Number.isFinite(asked) || asked <= 0) return DEFAULT_MAX_FILE_BYTES;
  return Math.min(Math.max(1, Math.floor(asked)), MAX_FILE_BYTES_LIMIT);
}

/** Lines this long are generated code or data, not prose… */
const LONG_LINE = 3000;

/**
 * A file's content as the index reads it: text to chunk (as lines), or why it is skipped; with the hash of its bytes.
 * A PDF or Word document's text comes with `document`, the text extracted from its bytes (`lines` are its lines).
 */
export type FileContent =
  | { kind: 'text'; lines: TextLines; bytes: Buffer; hash: string; size: number; document?: ExtractedDocument }
  | { kind: 'skip'; reason: SkipReason; hash: string; size: number };

export const hashBytes = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/**
 * Reads a file once: hashes it, drops binaries (a NUL byte early on) and minified files. At most `maxBytes` + 1
 * bytes are read, whatever the file's size says: more is 'too-large' (no hash). Only a regular file is read (not a
 * device or a pipe, even through a link). Never throws.
 */
export async function readFileContent(location: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<FileContent> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(location, OPEN_FLAGS);
    const info = await handle.stat();
    if (!info.isFile()) return UNREADABLE; // a device or a pipe: it may never end
    const { size } = info;
    if (size > maxBytes) return { kind: 'skip', reason: 'too-large', hash: '', size };
    const bytes = await readAtMost(handle, size, maxBytes);
    return bytes
      ? classifyBytes(bytes, isNotebookPath(location))
      : { kind: 'skip', reason: 'too-large', hash: '', size: maxBytes + 1 };
  } catch {
    return UNREADABLE;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * `readFileBytesSync` without blocking the thread: a regular file's bytes (a PDF's are binary, not yet taken for
 * text), at most `maxBytes`, or why not. Never throws.
 */
export async function readFileBytes(
  location: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<{ kind: 'bytes'; bytes: Buffer } | Extract<FileContent, { kind: 'skip' }>> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(location, OPEN_FLAGS);
    const info = await handle.stat();
    if (!info.isFile()) return UNREADABLE; // a device or a pipe: it may never end
    if (info.size > maxBytes) return { kind: 'skip', reason: 'too-large', hash: '', size: info.size };
    const bytes = await readAtMost(handle, info.size, maxBytes);
    return bytes ? { kind: 'bytes', bytes } : { kind: 'skip', reason: 'too-large', hash: '', size: maxBytes + 1 };
  } catch {
    return UNREADABLE;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

const UNREADABLE = { kind: 'skip', reason: 'unreadable', hash: '', size: 0 } as const satisfies FileContent;

/**
 * `readFileContent` without the promise machinery: cheaper per file (no file-handle objects), which matters for
 * the tens of thousands of files the index worker reads, where blocking is what the thread is for. Also says when
 * the file was last modified: the fstat that sizes the buffer tells, so a walk need not stat the file first. A file
 * larger than `maxBytes` is not read ('too-large', no hash); at most `maxBytes` + 1 bytes are read whatever fstat
 * says.
 */
export function readFileContentSync(
  location: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
  into?: ReadBuffer,
): FileContent & { mtimeMs: number } {
  const read = readFileBytesSync(location, maxBytes, into);
  return read.kind === 'bytes'
    ? { ...classifyBytes(read.bytes, isNotebookPath(location)), mtimeMs: read.mtimeMs }
    : read;
}

/**
 * Memory that files read one after another are read into (`into` of readFileContentSync and readFileBytesSync):
 * grown to the largest file read, so a thread reading thousands of files allocates no buffer per file. A file's
 * bytes read into it are valid until the next file is.
 */
export class ReadBuffer {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  /** The first `n` bytes of the buffer (grown when it is shorter). */
  bytes(n: number): Buffer {
    if (n > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(n, 2 * this.buffer.length));
    return this.buffer.subarray(0, n);
  }
}

/**
 * A file's bytes as `readFileContentSync` reads them, not yet taken for text (a PDF's bytes are binary): a regular
 * file of at most `maxBytes`, or why not; read into `into` when given (valid until its next file). Never throws.
 */
export function readFileBytesSync(
  location: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
  into?: ReadBuffer,
): { kind: 'bytes'; bytes: Buffer; mtimeMs: number } | (Extract<FileContent, { kind: 'skip' }> & { mtimeMs: number }) {
  let fd: number;
  try {
    fd = openSync(location, OPEN_FLAGS);
  } catch {
    return { ...UNREADABLE, mtimeMs: 0 };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { ...UNREADABLE, mtimeMs: 0 }; // a device or a pipe: it may never end
    const { size, mtimeMs } = info;
    if (size > maxBytes) return { kind: 'skip', reason: 'too-large', hash: '', size, mtimeMs };
    const bytes = readAtMostSync(fd, size, maxBytes, into);
    return bytes
      ? { kind: 'bytes', bytes, mtimeMs }
      : { kind: 'skip', reason: 'too-large', hash: '', size: maxBytes + 1, mtimeMs };
  } catch {
    return { ...UNREADABLE, mtimeMs: 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * An open file's bytes, or undefined when it has more than `maxBytes`. A file that stat gives a size is read up to
 * that size (a file that grows meanwhile is read as it was), into `into` when given; one that says 0 (a /proc file)
 * is read to its end, but never past `maxBytes` + 1 bytes.
 */
export function readAtMostSync(fd: number, sizeHint: number, maxBytes: number, into?: ReadBuffer): Buffer | undefined {
  if (sizeHint > maxBytes) return undefined;
  if (sizeHint > 0) {
    const bytes = into ? into.bytes(sizeHint) : Buffer.allocUnsafe(sizeHint);
    let read = 0;
    for (let n = 1; read < sizeHint && n > 0; read += n) n = readSync(fd, bytes, read, sizeHint - read, read);
    return read === sizeHint ? bytes : bytes.subarray(0, read); // a file that shrank meanwhile: what is there
  }
  let buffer: Buffer = Buffer.allocUnsafe(Math.min(UNSIZED_FIRST_BYTES, maxBytes + 1));
  let read = 0;
  for (;;) {
    if (read === buffer.length) {
      if (read > maxBytes) return undefined;
      buffer = grown(buffer, Math.min(buffer.length * 2, maxBytes + 1));
    }
    const n = readSync(fd, buffer, read, buffer.length - read, read);
    if (n === 0) return buffer.subarray(0, read);
    read += n;
  }
}

/** `readAtMostSync` through a file handle. */
export async function readAtMost(handle: FileHandle, sizeHint: number, maxBytes: number): Promise<Buffer | undefined> {
  if (sizeHint > maxBytes) return undefined;
  if (sizeHint > 0) {
    const bytes = Buffer.allocUnsafe(sizeHint);
    let read = 0;
    for (let n = 1; read < sizeHint && n > 0; read += n)
      n = (await handle.read(bytes, read, sizeHint - read, read)).bytesRead;
    return read === sizeHint ? bytes : bytes.subarray(0, read);
  }
  let buffer: Buffer = Buffer.allocUnsafe(Math.min(UNSIZED_FIRST_BYTES, maxBytes + 1));
  let read = 0;
  for (;;) {
    if (read === buffer.length) {
      if (read > maxBytes) return undefined;
      buffer = grown(buffer, Math.min(buffer.length * 2, maxBytes + 1));
    }
    const { bytesRead } = await handle.read(buffer, read, buffer.length - read, read);
    if (bytesRead === 0) return buffer.subarray(0, read);
    read += bytesRead;
  }
}

/** The first buffer for a file whose size is not known. */
const UNSIZED_FIRST_BYTES = 64 * 1024;

function grown(buffer: Buffer, length: number): Buffer {
  const bigger = Buffer.allocUnsafe(length);
  buffer.copy(bigger);
  return bigger;
}

/**
 * Text, or why not. A notebook's long lines are its outputs' data (images as base64), which extraction leaves out:
 * `notebook` keeps it from being taken for a minified file.
 */
export function classifyBytes(bytes: Buffer, notebook = false): FileContent {
  const hash = hashBytes(bytes);
  const size = bytes.length;
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { kind: 'skip', reason: 'binary', hash, size };
  // Invalid UTF-8 becomes U+FFFD one for one per bad sequence: lines stay where they are.
  const lines = new TextLines(bytes.toString('utf8'));
  if (!notebook && isMinified(lines)) return { kind: 'skip', reason: 'minified', hash, size };
  return { kind: 'text', lines, bytes, hash, size };
}

/** Minified or generated: most of the text sits on very long lines. */
export function isMinified(lines: TextLines): boolean {
  if (lines.text.length < LONG_LINE) return false;
  let longChars = 0;
  for (let i = 0; i < lines.length; i++) {
    const width = lines.width(i);
    if (width > LONG_LINE) longChars += width;
  }
  return longChars > lines.text.length / 2;
}
