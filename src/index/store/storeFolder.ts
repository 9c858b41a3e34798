import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { GroundedError } from '../../core/errors';
import { STORE_MARKER } from '../discovery/storeMarker';
import { MAGIC } from './binaryFormat';

const MARKER_TEXT =
  'This folder holds a Grounded workspace index. Grounded writes and deletes only manifest.bin, seg-<n>.bin, sync.lock and their .tmp files here, and only while this file is here.\n';

export const MANIFEST = 'manifest.bin';
export const segmentFile = (id: number): string => `seg-${id}.bin`;
export const SEGMENT_FILE = /^seg-(\d+)\.bin$/;
/**
 * What `IndexStore` writes before renaming into place (writeWhole), `<name>.<pid>.<thread>.<n>.<random hex>.tmp`, and
 * the store lock before linking it in place, `sync.lock.<pid>.<thread>.<n>.<random hex>.tmp`; and what an earlier
 * version of `IndexStore` wrote, `<name>.<pid>.<ms>.tmp`, which a save that was cut short may have left.
 */
export const TEMPORARY_FILE =
  /^(?:(?:manifest|seg-\d+)\.bin\.\d+\.\d+|(?:manifest\.bin|seg-\d+\.bin|sync\.lock)\.\d+\.\d+\.\d+\.[0-9a-f]+)\.tmp$/;

/** A file name Grounded writes in a store. */
export const isStoreFile = (name: string): boolean =>
  name === MANIFEST || SEGMENT_FILE.test(name) || TEMPORARY_FILE.test(name);

/** How long creating a store folder may take: a network share that stopped answering, an odd file system. */
const FOLDER_TIMEOUT_MS = 10_000;

/**
 * What a store folder is: missing, empty, marked as Grounded's, unmarked but holding only Grounded's files (a store
 * written before folders were marked: `.bin` files that start with Grounded's magic bytes, and its temporary files),
 * or foreign (anything else: never written to).
 */
export type StoreFolderState = 'missing' | 'empty' | 'marked' | 'unmarked-store' | 'foreign';

/** A store folder Grounded must not use: it holds files that are not Grounded's ('foreign'), or it cannot be created. */
export class StoreFolderError extends GroundedError {
  constructor(
    readonly reason: 'foreign' | 'cannot-create',
    message: string,
    cause?: unknown,
  ) {
    super(reason === 'foreign' ? 'bad-input' : 'index', message, { cause });
    this.name = 'StoreFolderError';
  }
}

export async function storeFolderState(dir: string): Promise<StoreFolderState> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return 'missing';
    throw e;
  }
  if (names.includes(STORE_MARKER)) return 'marked';
  if (names.length === 0) return 'empty';
  if (!names.every(isStoreFile)) return 'foreign';
  for (const name of names)
    if (!TEMPORARY_FILE.test(name) && !(await startsWithMagic(join(dir, name)))) return 'foreign';
  return 'unmarked-store';
}

/**
 * Makes `dir` a store folder Grounded may write in: creates it (one level at a time, with a timeout) and marks it,
 * or marks an empty folder or one that holds only an unmarked store of Grounded's (adopted: its index stays usable).
 * A folder holding anything else throws a StoreFolderError and is left untouched.
 */
export async function claimStoreFolder(dir: string): Promise<void> {
  const path = resolve(dir);
  try {
    await makeFolder(path);
  } catch (e) {
    throw new StoreFolderError('cannot-create', `Grounded cannot create the index folder ${path} (${reasonOf(e)}).`, e);
  }
  const state = await storeFolderState(path);
  if (state === 'marked') return;
  if (state === 'foreign') {
    throw new StoreFolderError(
      'foreign',
      `The folder ${path} already holds files that are not Grounded's, so Grounded leaves it untouched: it keeps its index only in an empty folder or in one marked with ${STORE_MARKER}.`,
    );
  }
  await writeFile(join(path, STORE_MARKER), MARKER_TEXT);
}

/**
 * Creates a folder and its missing parents one level at a time, failing after FOLDER_TIMEOUT_MS. Node's recursive
 * mkdir retries forever where mkdir says ENOENT under a parent that exists (/proc), and a stalled network share
 * never answers: either would hang the command.
 */
export async function makeFolder(path: string, timeoutMs = FOLDER_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    await Promise.race([makeFolderSteps(resolve(path)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function makeFolderSteps(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    const info = await stat(at).catch((e: unknown) => {
      if (codeOf(e) === 'ENOENT') return undefined;
      throw e;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`${at} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((e: unknown) => {
      if (codeOf(e) !== 'EEXIST') throw e;
    });
  }
}

async function startsWithMagic(location: string): Promise<boolean> {
  try {
    const handle = await open(location, 'r');
    try {
      const head = Buffer.alloc(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      return bytesRead === 4 && head.readUInt32LE(0) === MAGIC;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

/** A Node error's `code` (ENOENT, EEXIST …), if it has one. */
export const codeOf = (e: unknown): unknown => (e as { code?: unknown } | null)?.code;
const reasonOf = (e: unknown): string => String(codeOf(e) ?? (e instanceof Error ? e.message : String(e)));
