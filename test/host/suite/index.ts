// Entry point the extension host loads (extensionTestsPath): runs the host suite with mocha and records its
// counts next to the other suites'.
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runMocha, testFiles } = require(path.join(root, 'test/mochaRun.js')) as {
  runMocha(name: string, files: string[], opts: { timeout: number; root: string }): Promise<number>;
  testFiles(p: string): string[];
};

export async function run(): Promise<void> {
  const failures = await runMocha('host', testFiles(__dirname), { timeout: 60_000, root });
  if (failures > 0) throw new Error(`${failures} host test(s) failed`);
}
