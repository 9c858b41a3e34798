import { open } from 'node:fs/promises';

/** Bytes per positional read. */
const PIECE_BYTES = 8 << 20;
/** Reads in flight at once: two read faster than one; more only take CPU from the host thread. */
const IN_FLIGHT = 2;

/**
 * A file's bytes in a buffer of their own, read as parallel positional reads of PIECE_BYTES. `fs.readFile` reads
 * small pieces one request after another, which for a large segment is slower, and that read is most of what
 * loading the index costs. A file that shrinks meanwhile comes back short (the store's length check then calls it
 * truncated).
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    let next = 0;
    let short = size;
    const reader = async (): Promise<void> => {
      while (next < size && next < short) {
        const start = next;
        const end = Math.min(start + PIECE_BYTES, size);
        next = end;
        let at = start;
        while (at < end) {
          const { bytesRead } = await handle.read(bytes, at, end - at, at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
        if (at < end) short = Math.min(short, at);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, reader));
    return short === size ? bytes : bytes.slice(0, short);
  } finally {
    await handle.close();
  }
}

/**
 * fs error codes that say the system is short of something for a moment (file handles, a file another program holds
 * open, an interrupted call), not that the file is missing or damaged.
 */
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EINTR']);

export const isTransientFsError = (e: unknown): boolean =>
  TRANSIENT_CODES.has(String((e as { code?: unknown } | null)?.code));

/** The waits between tries of a read that failed for a transient reason: under two seconds in all. */
const RETRY_WAITS_MS = [50, 150, 400, 1_000];

/** `read()`, tried again after a short wait when it fails for a transient reason (see isTransientFsError). */
export async function retryTransient<T>(read: () => Promise<T>): Promise<T> {
  for (const wait of RETRY_WAITS_MS) {
    try {
      return await read();
    } catch (e) {
      if (!isTransientFsError(e)) throw e;
    }
    await new Promise(resolve => setTimeout(resolve, wait));
  }
  return read();
}
