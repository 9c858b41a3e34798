import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { askCommand } from '../../../src/cli/askCommand';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { tempDirs } from '../../support/tempDirs';
import { sampleNotebook } from '../index/documents/documentFixtures';

// `grounded ask` over a folder with a notebook, against the loopback fault server: a claim's citation names the cell.

describe('grounded ask over a notebook', () => {
  const dirs = tempDirs();
  let server: FaultServer;
  let folder: string;
  beforeEach(async () => {
    folder = await dirs.make('grounded-ask-notebook-');
    await writeFile(join(folder, 'churn.ipynb'), sampleNotebook());
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request)
        ? ['{"relevant":[1]}']
        : ['The data comes from ', "`pd.read_csv('churn.csv')` ", '[1].'],
    }));
  });
  afterEach(() => server.close());

  it('cites the lines of the cell that say the claim as path#cell=N:start-end', async () => {
    let out = '';
    const args = [
      'where does the churn data come from? read_csv',
      '--folder',
      folder,
      '--store',
      join(folder, '.store'),
      '--base-url',
      server.baseUrl,
      '--model',
      'fault-model',
    ];
    const code = await askCommand(args, { out: t => (out += t), err: () => undefined }, {});
    assert.equal(code, 0);
    assert.match(out, /Sources:\n {2}\[1\] churn\.ipynb#cell=2:2-2 /);
  });
});
