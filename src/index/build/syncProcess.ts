import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { asError } from '../../core/errors';
import type { SyncProgress, SyncRequest, SyncResult } from './syncRequest';
import { isSliceMessage, SliceAssembler, type SliceMessage } from './slicedArrays';
import { outOfMemory } from './workerLimits';
import { settleOnce } from './settleOnce';
import { errorOf, progressOf, resultOf, type WorkerMessage, type WorkerTask } from './workerMessages';

/** Set in the environment of a sync's process: the index worker script then runs the sync it is sent. */
export const SYNC_PROCESS_ENV = 'GROUNDED_SYNC_PROCESS';

/**
 * Sends a message of a sync's process to the process that started it. That process may be gone before this one
 * heard so (its end of the channel closed while this one was busy reading files): the send then fails, and this
 * process exits with 0, as when it hears the channel close, rather than crash on the unhandled error.
 */
export function sendToParent(message: unknown): void {
  process.send?.(message, undefined, undefined, error => {
    if (error) process.exit(0);
  });
}

/**
 * Whether a full sync runs in a process of its own session rather than in a worker thread. On Linux the scheduler
 * shares the cores between sessions (autogroups) before it shares them between threads, and a session is charged
 * for all its threads' time: a build in the extension host's session spends that session's share, so the host
 * waits behind the other sessions when it wakes, however low the build threads' nice values (those only order the
 * threads within a session). In a session of its own the build spends its own share. Elsewhere sessions do not
 * weigh, and the sync stays a thread.
 */
export const syncInOwnSession = (platform: NodeJS.Platform = process.platform): boolean => platform === 'linux';

export interface SyncProcessOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** The process's heap limit in MB (V8's old generation). */
  heapMb: number;
  /** Starts the process; tests wrap it to reach the child. */
  spawn?: (file: string, options: ForkOptions) => ChildProcess;
}

/** The end of what a process printed on stderr that is kept, to tell a heap limit from another crash. */
const STDERR_TAIL = 4096;

/**
 * Runs a sync in a child process that leads a session of its own (`detached`), running the index worker script
 * (`file`) with the sync sent as its first message; it answers as the sync's worker thread does (progress, then the
 * result or an error), by structured clone over its IPC channel, the large arrays in slices (slicedArrays.ts). What
 * it prints goes to this process's stderr.
 * Aborting kills it; it exits by itself when this process goes away (its channel closes).
 */
export function runSyncProcess(file: string, request: SyncRequest, options: SyncProcessOptions): Promise<SyncResult> {
  return new Promise<SyncResult>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const spawn = options.spawn ?? fork;
    const child = spawn(file, {
      detached: true,
      serialization: 'advanced',
      execArgv: [`--max-old-space-size=${options.heapMb}`],
      env: { ...process.env, [SYNC_PROCESS_ENV]: '1', ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stdout?.pipe(process.stderr, { end: false });
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    const finish = settleOnce(reject, options.signal, () => child.kill());
    const slices = new SliceAssembler();
    child.on('message', (message: WorkerMessage | SliceMessage) => {
      if (isSliceMessage(message)) return slices.add(message);
      if (message.type === 'progress') return options.onProgress?.(progressOf(message));
      child.kill();
      if (message.type === 'error') return finish(() => reject(errorOf(message)));
      let result: SyncResult;
      try {
        result = resultOf(slices.restore(message));
      } catch (e) {
        return finish(() => reject(asError(e)));
      }
      finish(() => resolve(result));
    });
    child.on('error', e => {
      finish(() => reject(e));
      child.kill();
    });
    child.on('exit', (code, signal) =>
      finish(() =>
        reject(
          ranOutOfHeap(stderr)
            ? outOfMemory(options.heapMb)
            : new Error(`The index process stopped (${signal ?? `exit code ${code}`}) before it finished.`),
        ),
      ),
    );
    const task: WorkerTask = { kind: 'sync', request };
    child.send(task);
  });
}

/** Whether a process's last words are V8's at its heap limit. */
const ranOutOfHeap = (stderr: string): boolean => /heap out of memory|Reached heap limit/i.test(stderr);
