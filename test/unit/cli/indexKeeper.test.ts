import assert from 'node:assert/strict';
import { IndexKeeper, type KeptIndex } from '../../../src/cli/indexKeeper';

/** An index whose first sync fails with `reason`. */
const failingIndex = (reason: string): KeptIndex => ({
  refresh: () => Promise.reject(new Error(reason)),
  update: () => Promise.resolve(),
  fileLocations: () => [],
});

describe('the index keeper of grounded mcp', () => {
  it('tells the client, as an error, why the index could not be built, and the log too', async () => {
    const said: [string, string][] = [];
    const logged: string[] = [];
    const keeper = new IndexKeeper(
      (level, message) => said.push([level, message]),
      message => logged.push(message),
    );
    try {
      await keeper.start(failingIndex('EACCES: permission denied, mkdir /store'), ['/ws']);
    } finally {
      keeper.dispose();
    }
    assert.deepEqual(said, [
      ['info', 'indexing the folder…'],
      ['error', 'indexing failed: EACCES: permission denied, mkdir /store'],
    ]);
    assert.deepEqual(logged, ['indexing failed: EACCES: permission denied, mkdir /store']);
  });
});
