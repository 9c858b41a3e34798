import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread whose stdout is not the process's: what it prints goes to the process's stderr. `grounded mcp`
 * speaks its protocol on stdout, so nothing a worker prints (a library's console.log) may reach it.
 */
export function quietWorker(file: string, options: Omit<WorkerOptions, 'stdout'>): Worker {
  const worker = new Worker(file, { ...options, stdout: true });
  worker.stdout.pipe(process.stderr, { end: false });
  return worker;
}
