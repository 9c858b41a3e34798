import { writeFileSync } from 'node:fs';
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

/**
 * Lowers the priority of the calling process's session as a whole (its autogroup) to BUILD_NICE. Linux's scheduler
 * shares the cores between sessions first and between the threads of a session second, so a thread's nice value
 * only orders it within its session; the sync's process leads a session of its own, and this makes that session
 * give way to the user's others, the extension host's included. Without autogroups (the file is missing, or the
 * process is in a cgroup of its own) there is nothing to lower. Best effort, Linux only.
 */
export function lowerSessionPriority(
  platform: NodeJS.Platform = process.platform,
  autogroupFile = '/proc/self/autogroup',
): boolean {
  if (platform !== 'linux') return false;
  try {
    writeFileSync(autogroupFile, String(BUILD_NICE));
    return true;
  } catch {
    return false;
  }
}
