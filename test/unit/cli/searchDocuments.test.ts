import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirs } from '../../support/tempDirs';
import { DATABRICKS_SOURCE, sampleNotebook } from '../index/documents/documentFixtures';
import { cli } from './cliHarness';

interface JsonHit {
  path: string;
  cell?: number;
  cellOutput?: boolean;
  startLine: number;
  endLine: number;
  text: string;
}

describe('grounded search over notebooks', () => {
  const dirs = tempDirs();
  let folder: string;
  beforeEach(async () => {
    folder = await dirs.make('grounded-notebooks-');
    await writeFile(join(folder, 'churn.ipynb'), sampleNotebook());
    await writeFile(join(folder, 'etl.py'), DATABRICKS_SOURCE);
  });

  it('cites a notebook hit as path#cell=N:start-end, at lines of the cell', async () => {
    const { code, out } = await cli(
      'search',
      'read_csv describe',
      '--folder',
      folder,
      '--store',
      join(folder, '.store'),
      '-k',
      '1',
    );
    assert.equal(code, 0);
    assert.match(out, /^churn\.ipynb#cell=2:1-3 {2}/);
    assert.match(out, /pd\.read_csv/);
  });

  it('gives --json hits the cell beside path and the cell’s lines, with the cell’s text', async () => {
    const { out } = await cli(
      'search',
      'retention churned mean',
      '--folder',
      folder,
      '--store',
      join(folder, '.store'),
      '--json',
    );
    const hit = (JSON.parse(out) as JsonHit[]).find(h => h.path === 'churn.ipynb');
    assert.ok(hit);
    assert.deepEqual([hit.cell, hit.startLine, hit.endLine], [4, 1, 2]);
    assert.equal(hit.text, 'def retention(df):\n    return 1 - df.churned.mean()');
  });

  it('finds text outputs, named as the cell’s output, and never the image data', async () => {
    const output = JSON.parse((await cli('search', '1200 rows', '--folder', folder, '--json')).out) as JsonHit[];
    assert.deepEqual(
      output.map(h => [h.path, h.cell, h.cellOutput, h.startLine, h.text]),
      [['churn.ipynb', 2, true, 1, 'loaded 1200 rows\n       tenure\ncount  1200']],
    );
    const { out } = await cli('search', '1200 rows', '--folder', folder);
    assert.match(out, /^churn\.ipynb#cell=2\/output:1-3 /);
    assert.deepEqual(
      JSON.parse(
        (
          await cli(
            'search',
            'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg',
            '--folder',
            folder,
            '--json',
          )
        ).out,
      ),
      [],
    );
  });

  it('cites a Databricks source at the file’s own lines, with the MAGIC text as the file has it', async () => {
    const { out } = await cli('search', 'region amount GROUP', '--folder', folder, '--json');
    const hit = (JSON.parse(out) as JsonHit[])[0];
    assert.deepEqual([hit?.path, hit?.cell, hit?.startLine, hit?.endLine], ['etl.py', undefined, 12, 14]);
    assert.match(hit?.text ?? '', /# MAGIC SELECT region/);
  });

  it('reads a %md cell as markdown: its heading is the title', async () => {
    const { out } = await cli('search', 'lakehouse', '--folder', folder);
    assert.match(out, /^etl\.py:2-4 {2}[\d.]+ {2}Revenue pipeline\n/);
  });
});
