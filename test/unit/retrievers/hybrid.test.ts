import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Passage } from '../../../src/core/passage';
import { CachingEmbedder } from '../../../src/embeddings/cachingEmbedder';
import { OpenAiEmbeddingsClient } from '../../../src/embeddings/openAiEmbeddingsClient';
import { splitLines } from '../../../src/index/chunking/chunker';
import { fuseByReciprocalRank } from '../../../src/retrievers/hybridRankFusion';
import { HybridRetriever, type HybridRetrieverOptions } from '../../../src/retrievers/hybridRetriever';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { FakeClock } from '../../fakes/fakeClock';
import { tempDirs } from '../../support/tempDirs';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/workspace');
const p = (id: string): Passage => ({ id, path: id, location: id, startLine: 1, endLine: 1, text: id, score: 0 });

describe('reciprocal-rank fusion', () => {
  it('ranks what both lists agree on first, and keeps first-list order on ties', () => {
    const fused = fuseByReciprocalRank(
      [
        [p('a'), p('b'), p('c')],
        [p('c'), p('d'), p('a')],
      ],
      4,
    );
    assert.deepEqual(
      fused.map(x => x.id),
      ['a', 'c', 'b', 'd'],
    );
    assert.equal(fused[0]?.score, 1 / 61 + 1 / 63);
  });
});

describe('local hybrid retriever (BM25 + cosine over stored vectors)', () => {
  const dirs = tempDirs();
  let server: EmbeddingsServer;
  let workspace: string;
  let temp: string;
  beforeEach(async () => {
    server = await EmbeddingsServer.start(32);
    temp = await dirs.make('grounded-hybrid-');
    workspace = join(temp, 'ws');
    await cp(FIXTURE, workspace, { recursive: true });
  });
  afterEach(async () => {
    await server.close();
  });

  const hybrid = (
    embeddings = server,
    notices: string[] = [],
    now?: () => number,
    extra: Partial<HybridRetrieverOptions> = {},
  ) => {
    const lexical = new LocalRetriever({ folders: () => [workspace], workerFile: false });
    const retriever = new HybridRetriever({
      lexical,
      embedder: new OpenAiEmbeddingsClient({ endpoint: embeddings.endpoint('bow-32') }),
      folders: () => [workspace],
      storeFile: join(temp, 'vectors.bin'),
      onNotice: message => notices.push(message),
      ...(now ? { now } : {}),
      ...extra,
    });
    return { retriever, lexical };
  };

  it('fuses both rankings, cites the right lines, and never embeds a chunk twice across sessions', async () => {
    const first = hybrid();
    const report = await first.retriever.sync();
    assert.ok(report.chunks > 3 && report.embedded === report.chunks, JSON.stringify(report));
    const passages = await first.retriever.search('flux capacitor charged before every jump', { k: 3 });
    const top = passages.find(x => x.path === 'docs/configuration.md' && x.startLine <= 56 && x.endLine >= 56);
    assert.ok(top && passages.indexOf(top) < 2, JSON.stringify(passages.map(x => [x.id, x.score])));
    assert.ok(
      passages.every(x => x.score > 1 / 61 && x.score <= 2 / 61),
      'fused by RRF: found by both rankings',
    );
    assert.equal(
      top?.text,
      splitLines(await readFile(join(workspace, 'docs/configuration.md'), 'utf8'))
        .slice((top?.startLine ?? 1) - 1, top?.endLine)
        .join('\n'),
    );
    first.lexical.dispose();

    await writeFile(join(workspace, 'notes/meeting.txt'), 'Team meeting, 13 March\n\nThe gauge is calibrated now.\n');
    const second = hybrid();
    const again = await second.retriever.sync();
    assert.equal(again.embedded, 1, 'only the edited note');
    second.lexical.dispose();
  });

  it('embeds a file added after the first sync before the next search, so both rankings find it', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const added = join(workspace, 'notes/zoo.md');
    await writeFile(added, '# Zoo\n\nzebra quokka wombat\n');
    await lexical.update([added]);
    const passages = await retriever.search('zebra quokka wombat', { k: 3 });
    const zoo = passages.find(x => x.path === 'notes/zoo.md');
    assert.ok(
      zoo && zoo.score > 1 / 61,
      `found by both rankings: ${JSON.stringify(passages.map(x => [x.id, x.score]))}`,
    );
    lexical.dispose();
  });

  it('embeds a changed file again, so its vector hit is cited at its new lines', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const path = join(workspace, 'notes/meeting.txt');
    await writeFile(path, 'Inserted line.\n' + (await readFile(path, 'utf8')));
    await lexical.update([path]);
    const passages = await retriever.search('plutonium gauge tests', { k: 5 });
    const meeting = passages.filter(x => x.path === 'notes/meeting.txt');
    assert.ok(
      meeting.some(m => m.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(passages.map(x => [x.id, x.score]))}`,
    );
    lexical.dispose();
  });

  it('reads only the files that changed when it catches up with the index', async () => {
    const { retriever, lexical } = hybrid();
    const first = await retriever.sync();
    const added = join(workspace, 'notes/zoo.md');
    await writeFile(added, '# Zoo\n\nzebra quokka wombat\n');
    await lexical.update([added]);
    const again = await retriever.sync();
    assert.equal(again.read, 1, 'only the new file is read');
    assert.equal(again.embedded, 1);
    assert.equal(again.chunks, first.chunks + 1);
    lexical.dispose();
  });

  it('answers from what is embedded while a large catch-up goes on, and fuses the new files once it is done', async () => {
    const { retriever, lexical } = hybrid(server, [], undefined, { catchUpWaitFiles: 1 });
    await retriever.sync();
    const zoo = join(workspace, 'notes/zoo.md');
    const farm = join(workspace, 'notes/farm.md');
    await writeFile(zoo, '# Zoo\n\nzebra quokka wombat\n');
    await writeFile(farm, '# Farm\n\nllama alpaca yak\n');
    await lexical.update([zoo, farm]);
    const now = await retriever.search('zebra quokka wombat', { k: 3 });
    assert.equal(now.find(x => x.path === 'notes/zoo.md')?.score, 1 / 61, 'keywords only while it catches up');
    await retriever.caughtUp();
    const later = await retriever.search('zebra quokka wombat', { k: 3 });
    const found = later.find(x => x.path === 'notes/zoo.md');
    assert.ok(found && found.score > 1 / 61, JSON.stringify(later.map(x => [x.id, x.score])));
    lexical.dispose();
  });

  it('stops a catch-up when the search that waits for it is cancelled, and catches up at the next search', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const added = join(workspace, 'notes/zoo.md');
    await writeFile(added, '# Zoo\n\nzebra quokka wombat\n');
    await lexical.update([added]);
    const controller = new AbortController();
    const cancelled = retriever.search('zebra quokka wombat', { k: 3, signal: controller.signal });
    controller.abort();
    await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError' || /cancel/i.test(e.message));
    const passages = await retriever.search('zebra quokka wombat', { k: 3 });
    const zoo = passages.find(x => x.path === 'notes/zoo.md');
    assert.ok(zoo && zoo.score > 1 / 61, JSON.stringify(passages.map(x => [x.id, x.score])));
    lexical.dispose();
  });

  it('embeds the workspace a batch of files at a time, holding one batch of texts', async () => {
    const calls: string[][] = [];
    const lexical = new LocalRetriever({ folders: () => [workspace], workerFile: false });
    const retriever = new HybridRetriever({
      lexical,
      embedder: {
        model: 'bow-32',
        embed: texts => {
          calls.push([...new Set(texts.map(t => t.split('\n')[0] ?? ''))]); // the files (paths) of this request
          return Promise.resolve(texts.map(() => new Float32Array(32).fill(1)));
        },
      },
      folders: () => [workspace],
      batchFiles: 2,
    });
    const report = await retriever.sync();
    assert.ok(calls.length >= 3, `one request per batch: ${JSON.stringify(calls)}`);
    assert.ok(
      calls.every(files => files.length <= 2),
      JSON.stringify(calls),
    );
    assert.equal(report.read, calls.flat().length);
    lexical.dispose();
  });

  it('keeps on disk the vectors embedded before the endpoint gave up, so the next session embeds only the rest', async () => {
    const first = hybrid(server, [], undefined, { batchFiles: 1 });
    let requests = 0;
    const failing = new HybridRetriever({
      lexical: first.lexical,
      embedder: {
        model: 'bow-32',
        embed: (texts, options) => {
          // the third request is rate-limited for good (retries spent)
          if (++requests === 3) return Promise.reject(new Error('rate-limited'));
          return inner.embed(texts, options);
        },
      },
      folders: () => [workspace],
      storeFile: join(temp, 'vectors.bin'),
      batchFiles: 1,
    });
    const inner = new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32') });
    await assert.rejects(failing.sync(), /rate-limited/);
    const before = server.textsEmbedded;
    assert.ok(before > 0, 'two batches were embedded before the failure');
    first.lexical.dispose();

    const second = hybrid();
    const report = await second.retriever.sync();
    assert.equal(report.embedded, report.chunks - before, 'the vectors of the first session were kept');
    second.lexical.dispose();
  });

  it('says when the stored vectors cannot be read (cut short, damaged, or not a vector store), and embeds the workspace again', async () => {
    const notices: string[] = [];
    const first = hybrid(server, notices);
    const { chunks } = await first.retriever.sync();
    first.lexical.dispose();
    assert.deepEqual(notices, [], 'no store yet is nothing to say');
    const file = join(temp, 'vectors.bin');
    const saved = await readFile(file);
    // one float of the last vector changed in place: the file keeps its length, and the number is still finite
    const flipped = Buffer.from(saved);
    flipped[flipped.length - 2] = (flipped[flipped.length - 2] ?? 0) ^ 0x01;

    for (const [bytes, problem] of [
      [saved.subarray(0, saved.length - 10), /cut short or damaged/],
      [flipped, /damaged: its checksum does not match its vectors/],
      [Buffer.from('not vectors at all'), /not a vector store, or cut short/],
    ] as const) {
      await writeFile(file, bytes);
      const told: string[] = [];
      const next = hybrid(server, told);
      const report = await next.retriever.sync();
      next.lexical.dispose();
      assert.equal(report.embedded, chunks);
      assert.equal(told.length, 1, JSON.stringify(told));
      assert.match(told[0] ?? '', /^The stored vectors in .*vectors\.bin could not be read \(/);
      assert.match(told[0] ?? '', problem);
      assert.match(told[0] ?? '', /the workspace is embedded again\.$/);
    }
  });

  /** A hybrid over `server`'s model, synced, finds the flux passage by both rankings. */
  async function assertBothRankingsWith(server: EmbeddingsServer): Promise<void> {
    const { retriever, lexical } = hybrid(server);
    await retriever.sync();
    const passages = await retriever.search('flux capacitor charged before every jump', { k: 3 });
    assert.ok(
      passages.some(x => x.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(passages.map(x => [x.id, x.score]))}`,
    );
    lexical.dispose();
  }

  it('embeds again the stored vectors whose dimension the model no longer returns, and still ranks by both', async () => {
    const first = hybrid();
    await first.retriever.sync();
    first.lexical.dispose();

    // The same model name now answers with 48 dimensions (another model loaded under it); one note is edited.
    const wider = await EmbeddingsServer.start(48);
    try {
      await writeFile(join(workspace, 'notes/meeting.txt'), 'Team meeting, 13 March\n\nThe gauge is calibrated now.\n');
      await assertBothRankingsWith(wider);
    } finally {
      await wider.close();
    }
  });

  it('embeds the workspace again when the question’s vector has another dimension than every stored one', async () => {
    const first = hybrid();
    await first.retriever.sync();
    first.lexical.dispose();

    // Nothing changed in the workspace, so the sync embeds nothing; only the question shows the new dimension.
    const wider = await EmbeddingsServer.start(48);
    try {
      await assertBothRankingsWith(wider);
    } finally {
      await wider.close();
    }
  });

  /** A hybrid over `server` as the extension builds it: the client behind a cache of the vectors it returned. */
  const asInExtension = (notices: string[]) =>
    hybrid(server, notices, undefined, {
      embedder: new CachingEmbedder(new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32') })),
    });

  for (const [when, change] of [
    ['an edited note', (lexical: LocalRetriever) => edit(lexical)],
    ['a new question', () => Promise.resolve()],
  ] as const)
    it(`embeds the workspace again, saying so, when the model behind the name changes while it runs (${when} shows it)`, async () => {
      const notices: string[] = [];
      const { retriever, lexical } = asInExtension(notices);
      await retriever.sync();
      await retriever.search('flux capacitor charged before every jump', { k: 3 });
      server.dimensions = 48; // another model is served under the same name now
      await change(lexical);
      const told: string[] = [];
      const question =
        when === 'a new question'
          ? 'flux capacitor charged before each jump'
          : 'flux capacitor charged before every jump';
      const passages = await retriever.search(question, { k: 3, onNotice: m => told.push(m) });
      assert.deepEqual(told, [], 'not by keywords only');
      assert.ok(
        passages.some(x => x.path === 'docs/configuration.md' && x.score > 1 / 61),
        `found by both rankings: ${JSON.stringify(passages.map(x => [x.id, x.score]))}`,
      );
      assert.equal(notices.length, 1, JSON.stringify(notices));
      assert.match(
        notices[0] ?? '',
        /^bow-32 now returns vectors of 48 dimensions, unlike the \d+ stored: .*the workspace is embedded again\.$/,
      );
      lexical.dispose();
    });

  async function edit(lexical: LocalRetriever): Promise<void> {
    const path = join(workspace, 'notes/meeting.txt');
    await writeFile(path, 'Team meeting, 13 March\n\nThe gauge is calibrated now.\n');
    await lexical.update([path]);
  }

  it('answers by keywords, saying so, when the question’s vector is all zeros, instead of ranking chunks by it', async () => {
    const notices: string[] = [];
    const { retriever, lexical } = hybrid(server, notices);
    await retriever.sync();
    for (const question of ['Marty will write the tests for the plutonium gauge', 'how is the flux capacitor set?']) {
      server.faults.push({ embedding: new Array<number>(32).fill(0) }); // the question's request
      const told: string[] = [];
      const passages = await retriever.search(question, { k: 5, onNotice: m => told.push(m) });
      assert.deepEqual(
        passages.map(x => x.id),
        (await lexical.search(question, { k: 5 })).map(x => x.id),
        'the keyword ranking alone',
      );
      assert.equal(told.length, 1, JSON.stringify(told));
      assert.match(told[0] ?? '', /^Searching by keywords only .*bow-32 gave the question a vector of zeros/);
    }
    assert.equal(
      notices.filter(n => n.includes('vector of zeros')).length,
      1,
      `said once in the log: ${JSON.stringify(notices)}`,
    );
    lexical.dispose();
  });

  it('reads no file that a link leading out of the workspace replaced since the sync, even with the same text', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const path = join(workspace, 'notes/meeting.txt');
    const outside = join(temp, 'outside.txt');
    await writeFile(outside, await readFile(path, 'utf8'));
    await unlink(path);
    await symlink(outside, path);
    const passages = await retriever.search('Marty will write the tests for the plutonium gauge', { k: 10 });
    assert.ok(passages.length > 0);
    assert.deepEqual(
      passages.filter(x => x.path === 'notes/meeting.txt'),
      [],
      'neither ranking cites the file whose path now leads out',
    );
    lexical.dispose();
  });

  it('leaves out a vector hit whose file changed since the sync instead of citing moved lines', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const path = join(workspace, 'notes/meeting.txt');
    await writeFile(path, 'Inserted line.\n' + (await readFile(path, 'utf8')));
    await lexical.refresh();
    const passages = await retriever.search('plutonium gauge tests', { k: 5 });
    const meeting = passages.filter(x => x.path === 'notes/meeting.txt');
    assert.ok(meeting.length > 0, 'the lexical side still finds the note at its new lines');
    for (const m of meeting)
      assert.equal(
        m.text,
        splitLines(await readFile(path, 'utf8'))
          .slice(m.startLine - 1, m.endLine)
          .join('\n'),
      );
    lexical.dispose();
  });

  it('leaves out a vector hit whose file became a pipe since the sync, without waiting on it', async function () {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const path = join(workspace, 'notes/meeting.txt');
    await unlink(path);
    try {
      execFileSync('mkfifo', [path]);
    } catch {
      this.skip(); // no mkfifo here
    }
    const passages = await retriever.search('plutonium gauge tests', { k: 5 });
    assert.ok(!passages.some(x => x.path === 'notes/meeting.txt'));
    lexical.dispose();
  });

  it('answers from the keyword ranking, and says so, when the embeddings endpoint fails after the workspace was embedded', async () => {
    const logged: string[] = [];
    const { retriever, lexical } = hybrid(server, logged);
    await retriever.sync();
    server.faults.push({ status: 401 }); // the key was revoked: the question cannot be embedded
    const told: string[] = [];
    const query = 'flux capacitor charged before every jump';
    const passages = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.deepEqual(
      passages.map(x => x.id),
      (await lexical.search(query, { k: 3 })).map(x => x.id),
    );
    assert.ok(passages.length > 0);
    assert.equal(told.length, 1);
    assert.match(
      told[0] ?? '',
      /^Searching by keywords only \(the local index's BM25 ranking\), as the embeddings failed: .*rejected the API key/,
    );
    assert.deepEqual(logged, told, 'the retriever’s own notice (the log) says the same');
    lexical.dispose();
  });

  it('answers by keywords while the workspace cannot be embedded, and fuses both rankings once the endpoint answers', async () => {
    let now = 0;
    const { retriever, lexical } = hybrid(server, [], () => now);
    server.faults.push({ status: 401 });
    const told: string[] = [];
    const query = 'flux capacitor charged before every jump';
    const keywordsOnly = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.ok(keywordsOnly.length > 0);
    assert.equal(told.length, 1);
    now += 60_000; // the endpoint is asked again a minute after it failed
    const fused = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.equal(told.length, 1, 'no notice once the endpoint answers');
    assert.ok(
      fused.some(x => x.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(fused.map(x => [x.id, x.score]))}`,
    );
    lexical.dispose();
  });

  it('answers by keywords at once while the embeddings endpoint is down, and tries it again a minute later', async () => {
    let now = 1_000_000;
    const lexical = new LocalRetriever({ folders: () => [workspace], workerFile: false });
    const logged: string[] = [];
    const options = {
      lexical,
      // retried by the core's backoff, on a clock that does not wait
      embedder: new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32'), clock: new FakeClock() }),
      folders: () => [workspace],
      onNotice: (message: string) => logged.push(message),
      now: () => now,
    };
    const retriever = new HybridRetriever(options);
    await retriever.sync();
    for (let i = 0; i < 100; i++) server.faults.push({ status: 503 }); // down: every request fails
    const query = 'flux capacitor charged before every jump';
    const keywords = (await lexical.search(query, { k: 3 })).map(x => x.id);
    const told: string[] = [];
    const first = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.deepEqual(
      first.map(x => x.id),
      keywords,
    );
    const asked = server.requests.length;
    assert.ok(asked > 2, 'the first search tried the endpoint, with its retries');

    now += 30_000;
    const second = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.equal(server.requests.length, asked, 'the next search does not wait on the endpoint that just failed');
    assert.deepEqual(
      second.map(x => x.id),
      keywords,
    );
    assert.equal(told.length, 2, 'each keyword-only answer says so');
    assert.match(told[1] ?? '', /^Searching by keywords only .*as the embeddings failed: /);
    assert.equal(logged.length, 1, 'the failure is logged once');

    now += 30_000;
    await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    const askedAgain = server.requests.length;
    assert.ok(askedAgain > asked, 'a minute after the failure, a search tries the endpoint again');
    assert.equal(logged.length, 2, 'and logs that it failed again');
    now += 30_000;
    await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.equal(server.requests.length, askedAgain, 'the endpoint is not asked again for a minute after that');

    server.faults.length = 0; // the endpoint is back
    now += 30_000;
    const fused = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.ok(server.requests.length > askedAgain);
    assert.equal(told.length, 4, 'no notice once the endpoint answers');
    assert.ok(
      fused.some(x => x.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(fused.map(x => [x.id, x.score]))}`,
    );
    lexical.dispose();
  });

  it('answers the first question by keywords at once when embedding the workspace just failed', async () => {
    const logged: string[] = [];
    const { retriever, lexical } = hybrid(server, logged, () => 0);
    server.faults.push({ status: 401 }); // the extension embeds the workspace before the first search
    await assert.rejects(retriever.sync(), /rejected the API key/);
    const asked = server.requests.length;
    const told: string[] = [];
    const query = 'flux capacitor charged before every jump';
    const passages = await retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    assert.equal(server.requests.length, asked, 'the endpoint that just failed is not asked again');
    assert.deepEqual(
      passages.map(x => x.id),
      (await lexical.search(query, { k: 3 })).map(x => x.id),
    );
    assert.equal(told.length, 1);
    assert.match(told[0] ?? '', /^Searching by keywords only .*rejected the API key/);
    lexical.dispose();
  });

  /**
   * A hybrid whose local index is still being built until `built()`: its first embedding of the workspace waits for
   * that (the index extracts the documents it embeds), while `local` already answers by keywords.
   */
  const whileIndexBuilds = () => {
    const local = new LocalRetriever({ folders: () => [workspace], workerFile: false });
    let built: () => void = () => undefined;
    const building = new Promise<void>(resolve => (built = resolve));
    const retriever = new HybridRetriever({
      lexical: { search: (q, o) => local.search(q, o), ready: () => building },
      embedder: new OpenAiEmbeddingsClient({ endpoint: server.endpoint('bow-32') }),
      folders: () => [workspace],
    });
    return { retriever, local, built };
  };

  it('answers a search that waited for the same workspace embedding as a search that was cancelled', async () => {
    // the local index is still being built when both questions arrive
    const { retriever, local, built } = whileIndexBuilds();
    const query = 'flux capacitor charged before every jump';
    const controller = new AbortController();
    const cancelled = retriever.search(query, { k: 3, signal: controller.signal });
    const told: string[] = [];
    const other = retriever.search(query, { k: 3, onNotice: m => told.push(m) });
    controller.abort();
    await assert.rejects(cancelled, (e: Error) => e.name === 'AbortError' || /cancel/i.test(e.message));
    built();
    const passages = await other;
    assert.deepEqual(told, []);
    assert.ok(
      passages.some(x => x.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(passages.map(x => [x.id, x.score]))}`,
    );
    local.dispose();
  });

  it('answers by keywords, saying so, when a search may not wait for the first embedding, and by both once it is done', async () => {
    // the first embedding cannot end before the local index is built, which this test holds back
    const { retriever, local, built } = whileIndexBuilds();
    const query = 'flux capacitor charged before every jump';
    const told: string[] = [];
    const now = await retriever.search(query, { k: 3, firstSyncWaitMs: 0, onNotice: m => told.push(m) });
    assert.deepEqual(
      now.map(x => x.id),
      (await local.search(query, { k: 3 })).map(x => x.id),
      'the keyword ranking, as it ranks',
    );
    assert.deepEqual(told, [
      'Searching by keywords only while bow-32 embeds the workspace for the first time; a search in a few minutes ranks by meaning too.',
    ]);
    built();
    await retriever.caughtUp();
    const later = await retriever.search(query, { k: 3, firstSyncWaitMs: 0, onNotice: m => told.push(m) });
    assert.equal(told.length, 1, 'nothing more to say once the workspace is embedded');
    assert.ok(
      later.some(x => x.score > 1 / 61),
      `found by both rankings: ${JSON.stringify(later.map(x => [x.id, x.score]))}`,
    );
    local.dispose();
  });

  it('stops a search cancelled while the local index is still being built, instead of waiting for the build', async () => {
    // the local index's first sync, which the hybrid waits for before embedding, is still running
    let built: () => void = () => undefined;
    const building = new Promise<void>(resolve => (built = resolve));
    const embedded: string[] = [];
    const retriever = new HybridRetriever({
      lexical: { search: () => Promise.resolve([]), ready: () => building },
      embedder: {
        model: 'bow-32',
        embed: texts => {
          embedded.push(...texts);
          return Promise.resolve(texts.map(() => new Float32Array(32)));
        },
      },
      folders: () => [workspace],
    });
    const controller = new AbortController();
    const search = retriever.search('flux capacitor', { k: 3, signal: controller.signal });
    controller.abort();
    try {
      await assert.rejects(search, (e: Error) => e.name === 'AbortError' || /cancel/i.test(e.message));
      assert.deepEqual(embedded, [], 'nothing was embedded for the cancelled search');
    } finally {
      built();
    }
  });

  it('still stops a cancelled search instead of answering by keywords', async () => {
    const { retriever, lexical } = hybrid();
    await retriever.sync();
    const controller = new AbortController();
    server.faults.push({ drop: true });
    const search = retriever.search('flux capacitor', { k: 3, signal: controller.signal });
    controller.abort();
    await assert.rejects(search, (e: Error) => e.name === 'AbortError' || /cancel/i.test(e.message));
    lexical.dispose();
  });
});
