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

  const ask = async (question: string): Promise<string> => {
    let out = '';
    const args = [
      question,
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
    return out;
  };

  it('cites the lines of the cell that say the claim as path#cell=N:start-end', async () => {
    assert.match(
      await ask('where does the churn data come from? read_csv'),
      /Sources:\n {2}\[1\] churn\.ipynb#cell=2:2 /,
    );
  });

  for (const kind of ['markdown', 'raw'])
    it(`reads a ${kind} cell as prose, where the abbreviations it defines stand for their long forms`, async () => {
      const cell = (cell_type: string, source: string) => ({ cell_type, metadata: {}, source, outputs: [] });
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: [
          cell(
            kind,
            '# Retention\n\nWe track the customer attrition rate (CAR) every quarter.\nIn 2023 the CAR rose to nine percent.',
          ),
          cell('code', 'car = churned / customers'),
        ],
      };
      await writeFile(join(folder, 'churn.ipynb'), JSON.stringify(notebook));
      await server.close();
      server = await FaultServer.start(request => ({
        tokens: isGradeRequest(request)
          ? ['{"relevant":[1]}']
          : ['In 2023 the customer attrition rate rose to nine percent [1].'],
      }));
      assert.match(await ask('customer attrition rate 2023'), /Sources:\n {2}\[1\] churn\.ipynb#cell=1:4 /);
    });
});
