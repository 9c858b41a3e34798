import { getPriority, setPriority } from 'node:os';

/** The nice value of the threads that build the index: below the extension host and the index thread. */
export const BUILD_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority, so that while a build keeps the cores busy the extension host
 * (and the index thread answering queries) run first when they wake. Only on Linux, where a nice value belongs to
 * a thread: on macOS and Windows the same call would lower the whole process, the extension host with it.
 * Best effort: a system that refuses leaves the priority as it is.
 */
export function lowerBuildThreadPriority(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    if (getPriority() < BUILD_NICE) setPriority(BUILD_NICE);
    return true;
  } catch {
    return false;
  }
}
