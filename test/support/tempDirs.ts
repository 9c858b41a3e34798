// Temporary folders for mocha tests, removed by the fixture that made them (and only those).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  /** A new empty folder under the OS temp folder, named `<prefix><random>`. */
  make(prefix?: string): Promise<string>;
}

const remove = (dirs: string[]) =>
  // a background save of the code under test may still be writing when the test ends
  Promise.all(dirs.splice(0).map(dir => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })));

/**
 * Call first thing inside a `describe` (it adds hooks there). A folder made in a test or a `beforeEach` is removed
 * before the next test starts, or when the block ends; one made in a `before` hook, when the block ends. So the
 * block's own `afterEach` hooks may still use (flush into, close) the folders of the test that just ran.
 */
export function tempDirs(): TempDirs {
  const forBlock: string[] = [];
  const forTest: string[] = [];
  let inTest = false;
  beforeEach(async () => {
    await remove(forTest);
    inTest = true;
  });
  afterEach(() => {
    inTest = false;
  });
  after(() => remove([...forTest.splice(0), ...forBlock.splice(0)]));
  return {
    async make(prefix = 'grounded-test-') {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      (inTest ? forTest : forBlock).push(dir);
      return dir;
    },
  };
}
