import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDirs } from '../../support/tempDirs';

// The tests below depend on their order (mocha runs sibling blocks in turn): each checks what the fixture removed
// after the one before.
describe('tempDirs (test support)', () => {
  const made: string[] = [];
  let forBlock = '';
  let inTest = '';

  describe('a block that uses it', () => {
    const temp = tempDirs();
    let forEach = '';
    before(async () => {
      forBlock = await temp.make('grounded-support-block-');
      made.push(forBlock);
    });
    beforeEach(async () => {
      forEach = await temp.make();
      made.push(forEach);
    });
    afterEach(() => {
      assert.ok(existsSync(forEach), 'the block’s own afterEach still finds the test’s folder');
    });

    it('makes a new empty folder under the OS temp folder', async () => {
      inTest = await temp.make('grounded-support-');
      made.push(inTest);
      assert.ok(inTest.startsWith(join(tmpdir(), 'grounded-support-')), inTest);
      assert.deepEqual(await readdir(inTest), []);
    });

    it('removes the folders of a test before the next one, keeping the block’s', () => {
      assert.ok(!existsSync(inTest), 'made in the test');
      assert.ok(!existsSync(made[1] ?? ''), 'made in beforeEach');
      assert.ok(existsSync(forBlock), 'made in before');
    });
  });

  describe('after that block', () => {
    it('finds every folder it made removed', () => {
      assert.equal(made.length, 4);
      assert.deepEqual(made.filter(existsSync), []);
    });
  });
});
