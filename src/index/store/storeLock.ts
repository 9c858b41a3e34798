import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { codeOf } from './storeFolder';

/**
 * The file that says a sync of the store in its folder is under way: created exclusively, holding the pid, the host
 * name and the thread id of the thread that holds it and a random token of this hold, touched while it is held. Two
 * processes that sync one store at once (two `grounded ask` on a cold cache, two VS Code windows on one folder) would
 * otherwise both number their segments from the same id and overwrite each other's files, leaving a manifest that
 * names the other's segments.
 */
export const LOCK_FILE = 'sync.lock';
/**
 * How often a held lock is touched, and how old an untouched one must be to be taken as left by a crash: long enough
 * for the longest step a sync takes without yielding (a full merge of a large index), which stops its heartbeat.
 */
const HEARTBEAT_MS = 2_000;
const STALE_MS = 60_000;
/**
 * How old a lock that names no holder must be to be taken as left by a crash. Locks are written whole before they
 * are linked in place, so such a file is one created in place (where links are refused) by a writer that crashed
 * before writing it: it is never one being written but for an instant.
 */
const NAMELESS_STALE_MS = 5_000;
const POLL_MS = 100;

/**
 * Calls `tick` every `ms` until the function returned is called, without keeping the process alive: how a held lock's
 * heartbeat is timed (tests give their own, to beat when they choose).
 */
export type Heartbeat = (ms: number, tick: () => unknown) => () => void;

const everyUnref: Heartbeat = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Waits until this thread holds the store's lock and returns what releases it. A lock whose process is gone, or that
 * nobody has touched for STALE_MS (a crashed thread of a live process), is taken over; one left so that it cannot be
 * removed (a read-only file, a folder by that name) throws, naming it, rather than being tried again without end.
 * Waiting ends when `signal` aborts (with its reason).
 */
export async function lockStore(
  dir: string,
  signal?: AbortSignal,
  heartbeat: Heartbeat = everyUnref,
): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (;;) {
    signal?.throwIfAborted();
    // the random part tells this hold from any other, even of this thread: a lock taken over as stale (this holder
    // asleep, or held up past STALE_MS) is another's, and neither touched nor removed by this one
    const holder = `${process.pid} ${hostname()} ${threadId} ${randomBytes(6).toString('hex')}\n`;
    if (await createLock(path, holder)) {
      const created = (await stat(path).catch(() => undefined))?.ino;
      const stillOurs = () => holds(path, holder, created);
      const stop = heartbeat(HEARTBEAT_MS, () =>
        stillOurs()
          .then(ours => {
            if (!ours) return stop();
            const now = new Date();
            return utimes(path, now, now);
          })
          .catch(() => undefined),
      );
      return async () => {
        stop();
        if (await stillOurs()) await unlink(path).catch(() => undefined);
      };
    }
    const stale = await staleLock(path);
    if (stale) {
      await unlinkIfStill(path, stale);
      continue;
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Whether the lock at `path` is still the one this hold created: it says `holder`. When it cannot be read (a virus
 * scanner holds it, too many files are open, a network share hiccups) its inode decides, so a passing read error
 * neither stops the heartbeat (another would take the lock over while the sync still writes) nor leaves the lock
 * behind at release (this process, alive, would wait for it as for another's).
 */
async function holds(path: string, holder: string, created: number | undefined): Promise<boolean> {
  try {
    return (await readFile(path, 'utf8')) === holder;
  } catch (e) {
    if (codeOf(e) === 'ENOENT' || created === undefined) return false;
    return (await stat(path).catch(() => undefined))?.ino === created;
  }
}

/** Temporary lock files this thread has written, which numbers the next one. */
let created = 0;

/**
 * Creates the lock at `path` holding `holder`, or returns false when it exists. The holder is written to a file of
 * its own that is then linked in place, so no reader ever finds the lock empty; where the file system has no links,
 * the lock is created exclusively and written after.
 */
async function createLock(path: string, holder: string): Promise<boolean> {
  if (await stat(path).catch(() => undefined)) return false; // held: no file to write while waiting
  // pid and thread may repeat across machines that share the folder (containers run as pid 1); the random part not
  const temp = `${path}.${process.pid}.${threadId}.${++created}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, holder);
  try {
    await link(temp, path);
    return true;
  } catch (e) {
    // held already; or the store was cleared under this waiter, its file with it: try again
    if (codeOf(e) === 'EEXIST' || codeOf(e) === 'ENOENT') return false;
    try {
      await writeFile(path, holder, { flag: 'wx' });
      return true;
    } catch (inPlace) {
      if (codeOf(inPlace) === 'EEXIST') return false;
      throw inPlace;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** The lock file as judged: its inode and when it was last touched. */
type LockFile = Pick<Stats, 'ino' | 'mtimeMs'>;

/** The lock at `path` if it was left behind (its process gone, or untouched too long), else undefined. */
async function staleLock(path: string): Promise<LockFile | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (Date.now() - info.mtimeMs > STALE_MS) return info;
  const holder = await holderOf(path);
  if (holder === undefined) return undefined; // unreadable (gone, or held open elsewhere): judged again next time
  const { pid, host } = holder;
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > NAMELESS_STALE_MS ? info : undefined;
  // a process on another machine (a shared folder) cannot be asked whether it lives: only its heartbeat tells
  if (host !== '' && host !== hostname()) return undefined;
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (e) {
    return codeOf(e) === 'ESRCH' ? info : undefined;
  }
}

/**
 * Removes the lock that a thread of this process held and could not release because it was terminated or crashed (a
 * cancelled sync's worker, an index thread that stopped): the process lives on, so no other waiter would take the
 * lock over before it is STALE_MS old. `thread`: that thread's id; without it, any thread of this process.
 */
export async function dropLockOf(dir: string, thread?: number): Promise<void> {
  const path = join(dir, LOCK_FILE);
  const info = await stat(path).catch(() => undefined);
  if (!info) return;
  const holder = await holderOf(path);
  if (holder?.pid !== process.pid || holder.host !== hostname()) return;
  if (thread !== undefined && holder.thread !== thread) return;
  await unlinkIfStill(path, info).catch(() => undefined); // one that cannot be removed: the next lockStore says so
}

/**
 * Who holds the lock at `path`, as it says: its pid, host and thread (NaN and '' where it says nothing); undefined when
 * it cannot be read.
 */
async function holderOf(path: string): Promise<{ pid: number; host: string; thread: number } | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const [pid = '', host = '', thread = ''] = text.trim().split(' ');
  return { pid: Number.parseInt(pid, 10), host, thread: Number.parseInt(thread, 10) };
}

/**
 * Removes the lock at `path` only if it is still the file judged: the same inode, untouched since (a file system may
 * give a lock taken since the inode of the one released, and a live holder's heartbeat touches it). Throws when it
 * is and cannot be removed.
 */
async function unlinkIfStill(path: string, judged: LockFile): Promise<void> {
  const now = await stat(path).catch(() => undefined);
  if (now?.ino !== judged.ino || now.mtimeMs !== judged.mtimeMs) return;
  await unlink(path).catch((e: unknown) => {
    if (codeOf(e) === 'ENOENT') return;
    throw new Error(
      `The index's lock ${path} was left by a process that ended, and cannot be removed (${String(codeOf(e) ?? e)}): delete it.`,
      { cause: e },
    );
  });
}
