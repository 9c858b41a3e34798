import { run } from '../../../src/cli/run';

/** Runs the CLI in-process, as `grounded ARGV…` would, and returns its exit code and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: t => (out += t), err: t => (err += t) });
  return { code, out, err };
}
