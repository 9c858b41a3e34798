import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import { FIXTURE_WORKSPACE } from './fixturePaths';

const retriever = () => new LocalRetriever({ folders: () => [FIXTURE_WORKSPACE], workerFile: false });

describe('WorkspaceIndex over the fixture folder', () => {
  it('indexes the fixture folder and reports its counts', async () => {
    const r = retriever();
    const stats = await r.refresh();
    assert.equal(stats.files, 3);
    assert.equal(stats.chunks, 3); // small files are one chunk each
    assert.equal(stats.skipped.binary, 0);
    assert.ok(stats.builtAt <= Date.now());
  });

  it('returns passages with exact ranges, ids, text and absolute locations', async () => {
    const [top] = await retriever().search('parse the config file', { k: 3 });
    assert.ok(top);
    const location = join(FIXTURE_WORKSPACE, 'src', 'parseConfig.ts');
    const lines = (await readFile(location, 'utf8')).split('\n');
    assert.equal(top.path, 'src/parseConfig.ts');
    assert.equal(top.location, location);
    assert.equal(top.id, `src/parseConfig.ts:${top.startLine}-${top.endLine}`);
    assert.equal(top.text, lines.slice(top.startLine - 1, top.endLine).join('\n'));
    assert.equal(top.title, 'parseConfig');
    assert.ok(top.score > 0);
  });

  it('finds a markdown section by its heading and a file by its path', async () => {
    const r = retriever();
    assert.equal((await r.search('install', { k: 1 }))[0]?.title, 'Widget > Install');
    assert.equal((await r.search('notes', { k: 1 }))[0]?.path, 'docs/notes.txt');
    assert.deepEqual(await r.search('zzzunknown', { k: 5 }), []);
  });
});
