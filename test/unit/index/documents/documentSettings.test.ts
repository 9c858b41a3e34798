import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_WORKER_FILE } from '../../../../src/index/build/indexWorkerClient';
import { fileList, updateFiles } from '../../../../src/index/build/updateFiles';
import { createFileFilter } from '../../../../src/index/discovery/fileFilter';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import { documentSettings, type DocumentSettings } from '../../../../src/index/documents/documents';
import { noFiles } from '../../../../src/index/segments/fileTable';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { LocalRetriever } from '../../../../src/retrievers/localRetriever';
import { tempDirs } from '../../../support/tempDirs';
import { DATABRICKS_SOURCE, IMAGE_BASE64, sampleNotebook } from './documentFixtures';

describe('document settings', () => {
  const dirs = tempDirs();
  let ws: string;
  beforeEach(async () => {
    ws = await dirs.make('grounded-document-settings-');
    await writeFile(join(ws, 'churn.ipynb'), sampleNotebook());
    await writeFile(join(ws, 'etl.py'), DATABRICKS_SOURCE);
  });

  it('reads only `false` as off, whatever shape the settings have', () => {
    const on = { pdf: true, docx: true };
    assert.deepEqual(documentSettings(undefined, undefined), {
      notebooks: true,
      databricks: true,
      ...on,
      notebookOutputs: true,
    });
    assert.deepEqual(documentSettings({ notebooks: false }, 'no'), {
      notebooks: false,
      databricks: true,
      ...on,
      notebookOutputs: true,
    });
    assert.deepEqual(documentSettings('off', false), {
      notebooks: true,
      databricks: true,
      ...on,
      notebookOutputs: false,
    });
    assert.deepEqual(documentSettings({ databricks: false, notebooks: 0, pdf: false, docx: 'no' }, true), {
      notebooks: true,
      databricks: false,
      pdf: false,
      docx: true,
      notebookOutputs: true,
    });
    assert.equal(documentSettings({}, true, 2).maxDocumentBytes, 2 * 1024 * 1024);
    assert.equal(documentSettings({}, true, -1).maxDocumentBytes, undefined);
    assert.equal(documentSettings({}, true, '5').maxDocumentBytes, undefined);
  });

  it('gives notebooks a size cap of their own, apart from the file size cap', async () => {
    // Images in outputs make a notebook of little text larger than the 1 MB file cap.
    const big = JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: 'Quarterly gizmo report' },
        {
          cell_type: 'code',
          source: 'plot()',
          outputs: [{ output_type: 'display_data', data: { 'image/png': IMAGE_BASE64.repeat(60) } }],
        },
      ],
    });
    assert.ok(big.length > 1024 * 1024);
    await writeFile(join(ws, 'big.ipynb'), big);
    await writeFile(join(ws, 'big.md'), 'gizmo\n'.repeat(200_000));
    const search = (documents: DocumentSettings) =>
      new LocalRetriever({ folders: () => [ws], workerFile: false, rules: () => ({ documents }) });
    const byDefault = search({});
    assert.deepEqual(
      (await byDefault.search('gizmo', { k: 5 })).map(p => p.path),
      ['big.ipynb'],
    );
    assert.equal(byDefault.stats()?.skipped['too-large'], 1, 'the markdown file is over the file cap');
    const capped = search({ maxDocumentBytes: 1024 * 1024 });
    assert.deepEqual(await capped.search('gizmo', { k: 5 }), []);
    assert.equal(capped.stats()?.skipped['too-large'], 2);
  });

  it('leaves notebooks out of the walk and the per-file filter when notebooks are off', async () => {
    const off = { documents: { notebooks: false } };
    assert.deepEqual((await walkFolders([ws], off)).candidates.map(c => c.path).sort(), ['etl.py']);
    assert.deepEqual((await walkFolders([ws], {})).candidates.map(c => c.path).sort(), ['churn.ipynb', 'etl.py']);
    assert.equal(await createFileFilter([ws], off)(join(ws, 'churn.ipynb')), undefined);
    assert.equal((await createFileFilter([ws], {})(join(ws, 'churn.ipynb')))?.path, 'churn.ipynb');
  });

  it('leaves PDFs or Word documents out of the walk and the per-file filter when their kind is off', async () => {
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.7');
    await writeFile(join(ws, 'notes.docx'), 'PK');
    const paths = async (documents: DocumentSettings) =>
      (await walkFolders([ws], { documents })).candidates.map(c => c.path).sort();
    assert.deepEqual(await paths({}), ['churn.ipynb', 'etl.py', 'notes.docx', 'report.pdf']);
    assert.deepEqual(await paths({ pdf: false }), ['churn.ipynb', 'etl.py', 'notes.docx']);
    assert.deepEqual(await paths({ docx: false }), ['churn.ipynb', 'etl.py', 'report.pdf']);
    assert.equal(await createFileFilter([ws], { documents: { pdf: false } })(join(ws, 'report.pdf')), undefined);
    assert.equal((await createFileFilter([ws], {})(join(ws, 'report.pdf')))?.path, 'report.pdf');
  });

  it('indexes outputs only when they are on, in the index as the host syncs it', async () => {
    const search = (documents: DocumentSettings) =>
      new LocalRetriever({ folders: () => [ws], workerFile: false, rules: () => ({ documents }) }).search('1200 rows', {
        k: 5,
      });
    assert.deepEqual(
      (await search({})).map(p => [p.cell, p.cellOutput]),
      [[2, true]],
    );
    assert.deepEqual(await search({ notebookOutputs: false }), []);
  });

  it('passes the settings to helper threads', async () => {
    for (let i = 0; i < 6; i++) await writeFile(join(ws, `copy${i}.ipynb`), sampleNotebook());
    const chunks = async (documents: DocumentSettings) => {
      const { candidates } = await walkFolders([ws], {});
      const index = new SegmentedIndex({ segments: [], deletions: [], files: noFiles(), nextSegmentId: 1 });
      const helpers = { workerFile: DEFAULT_WORKER_FILE, threads: 2, minBytes: 0 };
      const update = await updateFiles(fileList(candidates), () => undefined, {
        newSegmentId: () => index.nextSegmentId++,
        helpers,
        documents,
      });
      index.replaceFiles([], update.changed, update.segments);
      assert.equal(update.threads, 2);
      return index.chunkCount;
    };
    // 7 notebooks of 3 source chunks and 1 output chunk, and the Databricks source's 3 cells.
    assert.deepEqual([await chunks({}), await chunks({ notebookOutputs: false })], [7 * 4 + 3, 7 * 3 + 3]);
  });
});
