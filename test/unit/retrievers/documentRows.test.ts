import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { GroundedError } from '../../../src/core/errors';
import type { Passage } from '../../../src/core/passage';
import { OpenAiEmbeddingsClient } from '../../../src/embeddings/openAiEmbeddingsClient';
import { documentCacheDir } from '../../../src/index';
import { HybridRetriever } from '../../../src/retrievers/hybridRetriever';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import { pushRows } from '../../../src/retrievers/pgvectorPush';
import { workspaceRowBatches, workspaceRows } from '../../../src/retrievers/pgvectorPushRows';
import { PgvectorRetriever } from '../../../src/retrievers/pgvectorRetriever';
import { cli } from '../cli/cliHarness';
import { pdfOfPages, REPORT_PAGES } from '../index/documents/pdfFixtures';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { FakeClock } from '../../fakes/fakeClock';
import { startTestPostgres, type TestPostgres } from '../../fakes/pgliteServer';
import { tempDirs } from '../../support/tempDirs';

const DOCUMENTS = resolve(__dirname, '../../../../test/fixtures/documents-eval');
const QUESTIONS = (JSON.parse(readFileSync(join(DOCUMENTS, 'questions.json'), 'utf8')) as { question: string }[]).map(
  q => q.question,
);

/** What a citation opens: the passage's id, place, lines and text. */
const citation = (p: Passage) => ({
  id: p.id,
  path: p.path,
  cell: p.cell,
  cellOutput: p.cellOutput,
  page: p.page,
  prose: p.prose,
  startLine: p.startLine,
  endLine: p.endLine,
  title: p.title,
  text: p.text,
});

/** The local index's passages for every question, by id. */
async function localPassages(folder: string): Promise<Map<string, Passage>> {
  const local = new LocalRetriever({ folders: () => [folder], workerFile: false });
  try {
    const found = new Map<string, Passage>();
    for (const q of QUESTIONS) for (const p of await local.search(q, { k: 5 })) found.set(p.id, p);
    return found;
  } finally {
    local.dispose();
  }
}

describe('pushed rows and the local hybrid’s chunks are the local index’s passages (notebooks, Databricks sources)', () => {
  for (const kind of ['notebooks', 'databricks']) {
    it(`gives ${kind} the ids, cells, lines and text the local index cites`, async () => {
      const folder = join(DOCUMENTS, kind);
      const { rows } = await workspaceRows([folder]);
      const byId = new Map(rows.map(r => [r.id, r]));
      const local = await localPassages(folder);
      assert.ok(local.size > 5);
      for (const passage of local.values()) {
        const row = byId.get(passage.id);
        assert.ok(row, `${passage.id} is pushed (rows: ${[...byId.keys()].slice(0, 4).join(', ')}…)`);
        assert.deepEqual(citation({ ...row, location: '', score: 0 }), citation(passage));
      }
      if (kind === 'notebooks')
        assert.ok(
          rows.every(r => r.cell !== undefined),
          'every notebook row names its cell',
        );
    });
  }
});

describe('the local hybrid over notebooks', () => {
  const dirs = tempDirs();
  let server: EmbeddingsServer;
  beforeEach(async () => {
    server = await EmbeddingsServer.start(32);
  });
  afterEach(async () => {
    await server.close();
  });

  it('fuses a notebook cell found by both rankings into one passage, cited by cell', async () => {
    const temp = await dirs.make('grounded-hybrid-notebooks-');
    const workspace = join(temp, 'ws');
    await cp(join(DOCUMENTS, 'notebooks'), workspace, { recursive: true });
    const lexical = new LocalRetriever({ folders: () => [workspace], workerFile: false });
    try {
      const hybrid = new HybridRetriever({
        lexical,
        embedder: new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32') }),
        folders: () => [workspace],
      });
      const query = 'Which account attributes go into the churn model as features?';
      const passages = await hybrid.search(query, { k: 5 });
      const lexicalTop = (await lexical.search(query, { k: 5 }))[0];
      assert.ok(lexicalTop);
      assert.ok(
        passages.every(p => p.cell !== undefined),
        JSON.stringify(passages.map(p => p.id)),
      );
      const top = passages.find(p => p.id === lexicalTop.id);
      assert.ok(
        top && top.score > 1 / 61,
        `found by both rankings, fused: ${JSON.stringify(passages.map(p => [p.id, p.score]))}`,
      );
      assert.deepEqual(citation(top), citation(lexicalTop));
      assert.equal(new Set(passages.map(p => p.id)).size, passages.length);
    } finally {
      lexical.dispose();
    }
  });
});

describe('pushing notebooks and PDFs to PostgreSQL (PGlite over the wire)', function () {
  const dirs = tempDirs();
  this.timeout(60_000);
  let pg: TestPostgres;
  let seq = 0;
  before(async () => {
    pg = await startTestPostgres();
  });
  after(async () => {
    await pg?.close();
  });
  const table = () => `grounded_docs_${process.pid}_${++seq}`;
  /** Turns a pushed table into one schema version 1 made: no cell or page columns, its meta saying version 1. */
  async function asSchemaVersion1(name: string): Promise<void> {
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      for (const column of ['cell', 'cell_output', 'page', 'prose'])
        await db.query(`ALTER TABLE "${name}" DROP COLUMN ${column}`);
      await db.query(`UPDATE "${name}_meta" SET value = '1' WHERE key = 'schema_version'`);
    } finally {
      await db.end();
    }
  }

  it('cites a pushed notebook by cell, as the local index does, and upgrades a table pushed without cells', async () => {
    const folder = join(DOCUMENTS, 'notebooks');
    const c = { connectionString: pg.url, table: table(), maxConnections: pg.maxConnections };
    await pushRows(c, (await workspaceRows([folder])).rows);

    await asSchemaVersion1(c.table);
    const notices: string[] = [];
    const old = new PgvectorRetriever({ ...c, clock: new FakeClock(), onNotice: m => notices.push(m) });
    try {
      const query = 'Which account attributes go into the churn model as features?';
      assert.ok((await old.search(query, { k: 3 })).length > 0, 'a table of version 1 is still read');
      assert.match(notices.join('\n'), /pushed by an older Grounded.*Push it again/);

      const report = await pushRows(c, (await workspaceRows([folder])).rows);
      assert.equal(report.written, report.chunks, 'every row is written again, with its cell');
      const local = await localPassages(folder);
      const passages = await old.search(query, { k: 3 });
      assert.ok(passages.length > 0);
      for (const p of passages) {
        assert.ok(p.cell !== undefined, `${p.id} names its cell`);
        const same = local.get(p.id);
        if (same) assert.deepEqual(citation(p), citation(same));
      }
    } finally {
      await old.dispose();
    }
  });

  it('keeps an older table marked as such when the push that upgrades it fails, so it is still read with the notice', async () => {
    const folder = join(DOCUMENTS, 'notebooks');
    const c = { connectionString: pg.url, table: table(), maxConnections: pg.maxConnections };
    await pushRows(c, (await workspaceRows([folder])).rows);
    await asSchemaVersion1(c.table);
    // the push that upgrades the table fails before it writes a row (the embeddings endpoint is down)
    const down = {
      model: 'bow-32',
      embed: () => Promise.reject(new GroundedError('network', 'The embeddings endpoint could not be reached.')),
    };
    await assert.rejects(pushRows(c, (await workspaceRows([folder])).rows, { embedder: down }), /could not be reached/);
    const notices: string[] = [];
    const retriever = new PgvectorRetriever({ ...c, clock: new FakeClock(), onNotice: m => notices.push(m) });
    try {
      await retriever.search('Which account attributes go into the churn model as features?', { k: 3 });
      assert.match(notices.join('\n'), /pushed by an older Grounded.*Push it again/);
    } finally {
      await retriever.dispose();
    }
    const report = await pushRows(c, (await workspaceRows([folder])).rows);
    assert.equal(report.written, report.chunks, 'the next push upgrades it: every row is written again');
  });

  it('writes again a notebook cell that became markdown with the same source, so it is cited as prose', async () => {
    const folder = await dirs.make('grounded-push-cell-kind-');
    const notebook = (kind: string) =>
      JSON.stringify({
        cells: [
          { cell_type: 'markdown', metadata: {}, source: ['# Intro\n', 'What the flux capacitor does.'] },
          { cell_type: kind, metadata: {}, source: ['The flux capacitor is charged before every jump.'] },
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      });
    const c = { connectionString: pg.url, table: table(), maxConnections: pg.maxConnections };
    await writeFile(join(folder, 'jump.ipynb'), notebook('code'));
    await pushRows(c, (await workspaceRows([folder])).rows);
    await writeFile(join(folder, 'jump.ipynb'), notebook('markdown'));
    const report = await pushRows(c, (await workspaceRows([folder])).rows);
    assert.equal(report.written, 1, 'the cell whose kind changed is written');
    const retriever = new PgvectorRetriever({ ...c, clock: new FakeClock() });
    try {
      const query = 'charged before every jump';
      const [hit] = await retriever.search(query, { k: 1 });
      const local = new LocalRetriever({ folders: () => [folder], workerFile: false });
      const [same] = await local.search(query, { k: 1 }).finally(() => local.dispose());
      assert.ok(hit && same);
      assert.deepEqual(citation(hit), citation(same));
      assert.equal(hit.prose, true);
    } finally {
      await retriever.dispose();
    }
  });

  it('grounded index --target pushes a PDF by page, from the local index’s extraction', async () => {
    const folder = await dirs.make('grounded-push-pdf-');
    const store = join(await dirs.make('grounded-push-pdf-store-'), 'index');
    await writeFile(join(folder, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(folder, 'notes.md'), '# Notes\n\nNothing about churn here.\n');
    const t = table();
    const pushed = await cli('index', '--target', pg.url, '--table', t, '--folder', folder, '--store', store);
    assert.equal(pushed.code, 0, pushed.err);
    const retriever = new PgvectorRetriever({ connectionString: pg.url, table: t, clock: new FakeClock() });
    try {
      const [hit] = await retriever.search('churned pricing', { k: 1 });
      assert.ok(hit);
      assert.deepEqual(
        [hit.id, hit.path, hit.page, hit.startLine, hit.endLine],
        ['report.pdf#page=2:1-3', 'report.pdf', 2, 1, 3],
      );
      assert.match(hit.text, /Customers who churned cited pricing/);
    } finally {
      await retriever.dispose();
    }
  });

  it('keeps the pushed rows of a PDF that could not be read as the local index extracted it, and deletes those of a file gone', async () => {
    const folder = await dirs.make('grounded-push-kept-');
    const store = join(await dirs.make('grounded-push-kept-store-'), 'index');
    await writeFile(join(folder, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(folder, 'notes.md'), '# Notes\n\nNothing about churn here.\n');
    await writeFile(join(folder, 'old.md'), '# Old\n\nGone soon.\n');
    const t = table();
    const pushed = await cli('index', '--target', pg.url, '--table', t, '--folder', folder, '--store', store);
    assert.equal(pushed.code, 0, pushed.err);
    const pathsIn = async () =>
      (await pg.peek<{ path: string }>(`SELECT DISTINCT path FROM "${t}" ORDER BY path`)).map(r => r.path);
    assert.deepEqual(await pathsIn(), ['notes.md', 'old.md', 'report.pdf']);
    await rm(join(folder, 'old.md'));
    // a document cache without the PDF's extraction, as when the PDF changed after the local index extracted it
    const found = await workspaceRowBatches([folder], { documentCache: await dirs.make('grounded-push-no-cache-') });
    async function* rows() {
      for await (const batch of found.batches) yield batch.flatMap(file => file.rows);
    }
    const report = await pushRows({ connectionString: pg.url, table: t }, rows(), {
      keepPaths: found.notExtractedPaths,
    });
    assert.deepEqual(found.notExtractedPaths(), ['report.pdf']);
    assert.equal(report.deleted, 1, JSON.stringify(report));
    assert.deepEqual(await pathsIn(), ['notes.md', 'report.pdf']);
  });

  it('deletes, not keeps, the rows of a PDF it could not read when it gives every row its vector, so the next push embeds them', async () => {
    const folder = await dirs.make('grounded-push-kept-vectors-');
    const store = join(await dirs.make('grounded-push-kept-vectors-store-'), 'index');
    await writeFile(join(folder, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(folder, 'notes.md'), '# Notes\n\nNothing about churn here.\n');
    const t = table();
    // pushed without vectors, the local index extracting the PDF into the store
    const pushed = await cli('index', '--target', pg.url, '--table', t, '--folder', folder, '--store', store);
    assert.equal(pushed.code, 0, pushed.err);
    const server = await EmbeddingsServer.start(32);
    try {
      const embedder = new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32') });
      const push = async (documentCache: string) => {
        const found = await workspaceRowBatches([folder], { documentCache });
        async function* rows() {
          for await (const batch of found.batches) yield batch.flatMap(file => file.rows);
        }
        return pushRows({ connectionString: pg.url, table: t }, rows(), {
          embedder,
          keepPaths: found.notExtractedPaths,
        });
      };
      // the first push with vectors cannot read the PDF as the local index extracted it
      const adding = await push(await dirs.make('grounded-push-kept-vectors-no-cache-'));
      assert.equal(adding.kept, 0, JSON.stringify(adding));
      // the next one can
      await push(documentCacheDir(store));
      const unembedded = await pg.peek<{ path: string }>(`SELECT path FROM "${t}" WHERE embedding IS NULL`);
      assert.deepEqual(unembedded, []);
      const pdfRows = await pg.peek<{ id: string }>(`SELECT id FROM "${t}" WHERE path = 'report.pdf'`);
      assert.ok(pdfRows.length > 0);
    } finally {
      await server.close();
    }
  });
});
