import { GroundedError } from '../../core/errors';
import { GROUNDEDIGNORE_ADVICE } from '../segments/indexStats';

/**
 * The heap a sync's worker may use (V8's old generation, in MB): a million chunks take about a gigabyte of segments
 * plus what building them holds, so this leaves room while keeping a runaway workspace from taking the machine.
 */
export const INDEX_WORKER_HEAP_MB = 4096;

/** The heap each helper thread of a sync may use (MB): it holds one part of the files' chunks while it builds their segment. */
export const HELPER_HEAP_MB = 2048;

/** Whether a worker's 'error' is V8 stopping it at its heap limit. */
export const isOutOfMemory = (e: unknown): boolean =>
  (e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';

/** The error for a worker that ran out of its heap: what happened and how to index less. */
export function outOfMemory(heapMb: number, cause?: unknown): GroundedError {
  return new GroundedError(
    'index',
    `The index ran out of memory (its limit is ${heapMb} MB): the workspace has too much to index. ${GROUNDEDIGNORE_ADVICE}. Narrowing grounded.index.include, adding grounded.index.exclude globs or lowering grounded.index.maxFiles does too.`,
    { cause },
  );
}
