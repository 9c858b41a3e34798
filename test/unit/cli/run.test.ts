import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cli } from './cliHarness';
import { MODEL_OPTIONS } from '../../../src/cli/askCommand';
import { EMBEDDINGS_OPTIONS } from '../../../src/cli/embedderArgs';
import { PROGRESS_EVERY_MS } from '../../../src/cli/openIndex';
import { RETRIEVER_OPTIONS } from '../../../src/cli/retrieverArgs';

import { BEIR_TINY, FIXTURE_WORKSPACE as WORKSPACE } from '../index/fixturePaths';
import { closedPort } from '../../support/closedPort';
import { settleFiles } from '../../support/settledFiles';
import { tempDirs } from '../../support/tempDirs';

describe('grounded CLI', () => {
  const dirs = tempDirs();
  let temp: string;
  const cacheBefore = process.env['XDG_CACHE_HOME'];
  beforeEach(async () => {
    temp = await dirs.make('grounded-cli-');
    process.env['XDG_CACHE_HOME'] = join(temp, 'cache'); // the default store lands here, not in the real cache
  });
  afterEach(async () => {
    if (cacheBefore === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = cacheBefore;
  });

  describe('eval', () => {
    it('scores a tiny BEIR set and prints the four metrics', async () => {
      const { code, out } = await cli('eval', BEIR_TINY);
      assert.equal(code, 0);
      assert.match(out, /3 queries, 4 documents/);
      assert.match(out, /nDCG@10\s+1\.0000/);
      assert.match(out, /MRR@10\s+1\.0000/);
      assert.match(out, /Recall@100\s+1\.0000/);
    });

    it('prints JSON and writes a TREC run file', async () => {
      const runFile = join(temp, 'run.txt');
      const { code, out } = await cli('eval', BEIR_TINY, '--json', '--run', runFile);
      assert.equal(code, 0);
      const report = JSON.parse(out) as { queries: number; metrics: Record<string, number> };
      assert.equal(report.queries, 3);
      assert.equal(report.metrics['recallAt10'], 1);
      const lines = (await readFile(runFile, 'utf8')).trim().split('\n');
      assert.match(lines[0] ?? '', /^q1 Q0 d2 1 [0-9.]+ grounded$/);
      assert.ok(!lines.some(l => l.startsWith('q9 ')), 'unjudged queries are not run');
    });

    it('names the file and line of a malformed JSONL row and exits 2', async () => {
      await writeFile(join(temp, 'corpus.jsonl'), '{"_id": "1", "text": "ok"}\n{"_id": "2", "text": \n');
      await writeFile(join(temp, 'queries.jsonl'), '{"_id": "q", "text": "ok"}\n');
      await writeFile(join(temp, 'qrels.tsv'), 'q\t1\t1\n');
      const { code, err } = await cli('eval', temp);
      assert.equal(code, 2);
      assert.match(err, /corpus\.jsonl line 2: not valid JSON/);
    });

    it('checks the --run path before evaluating: a missing folder exits 2 with the reason and no metrics', async () => {
      const { code, out, err } = await cli('eval', BEIR_TINY, '--run', join(temp, 'nonexistent', 'run.txt'));
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /^grounded: --run .*nonexistent\/run\.txt: the folder .*nonexistent does not exist\.\n$/);
    });

    it('exits 2 with the reason for qrels without judgements, or judging none of the queries', async () => {
      await writeFile(join(temp, 'corpus.jsonl'), '{"_id": "d1", "text": "alpha"}\n');
      await writeFile(join(temp, 'queries.jsonl'), '{"_id": "q1", "text": "alpha"}\n');
      await writeFile(join(temp, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\n');
      const empty = await cli('eval', temp);
      assert.equal(empty.code, 2);
      assert.match(empty.err, /qrels\.tsv has no judgements/);
      await writeFile(join(temp, 'qrels.tsv'), 'q7\td1\t1\n');
      const unrelated = await cli('eval', temp);
      assert.equal(unrelated.code, 2);
      assert.match(unrelated.err, /No query judged in .*qrels\.tsv is in .*queries\.jsonl/);
    });

    it("reads trec_eval's four-column qrels, and names the line of a judgement with a blank score or extra columns", async () => {
      await writeFile(join(temp, 'corpus.jsonl'), '{"_id":"7","text":"zebra stripes"}\n{"_id":"8","text":"lion"}\n');
      await writeFile(join(temp, 'queries.jsonl'), '{"_id":"q1","text":"zebra"}\n');
      await writeFile(join(temp, 'qrels.tsv'), 'q1 0 7 1\n');
      const trec = await cli('eval', temp, '--json');
      assert.equal(trec.code, 0);
      assert.equal((JSON.parse(trec.out) as { metrics: Record<string, number> }).metrics['ndcgAt10'], 1);
      for (const bad of ['q1\t7\t1\nq1\t8\t\n', 'q1\t7\t1\nq1 0 8 1 extra\n']) {
        await writeFile(join(temp, 'qrels.tsv'), bad);
        const { code, out, err } = await cli('eval', temp);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.match(err, /qrels\.tsv line 2: expected "query-id<TAB>corpus-id<TAB>score"/);
      }
    });

    it('leaves out, and says so, a query the qrels judge that queries.jsonl does not hold, instead of scoring it 0', async () => {
      await writeFile(
        join(temp, 'corpus.jsonl'),
        '{"_id":"d1","text":"zebra stripes"}\n{"_id":"d2","text":"lion mane"}\n',
      );
      await writeFile(join(temp, 'queries.jsonl'), '{"_id":"q1","text":"zebra"}\n');
      await writeFile(join(temp, 'qrels.tsv'), 'q1\td1\t1\nq2\td2\t1\n');
      const { code, out, err } = await cli('eval', temp, '--json');
      assert.equal(code, 0);
      const result = JSON.parse(out) as { queries: number; metrics: Record<string, number> };
      assert.equal(result.queries, 1);
      assert.equal(result.metrics['ndcgAt10'], 1);
      assert.equal(err, 'grounded: 1 query the qrels judge is not in queries.jsonl: left out.\n');
    });

    it('exits 2 with the reason for a set where no query has a relevant document to find, instead of scoring 0', async () => {
      const cases: [corpus: string, qrels: string, reason: RegExp][] = [
        ['', 'q1\td1\t1\n', /No document that .*qrels\.tsv judges relevant is in .*corpus\.jsonl, which is empty\./],
        [
          '{"_id":"d9","text":"zebra"}\n',
          'q1\td1\t1\n',
          /No document that .*qrels\.tsv judges relevant is in .*corpus\.jsonl: do the two files/,
        ],
        ['{"_id":"d1","text":"zebra"}\n', 'q1\td1\t0\n', /qrels\.tsv judges no document relevant \(a score above 0\)/],
      ];
      await writeFile(join(temp, 'queries.jsonl'), '{"_id":"q1","text":"zebra"}\n');
      for (const [corpus, qrels, reason] of cases) {
        await writeFile(join(temp, 'corpus.jsonl'), corpus);
        await writeFile(join(temp, 'qrels.tsv'), qrels);
        const { code, out, err } = await cli('eval', temp);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.match(err, reason);
      }
    });

    it('exits 2 naming the line of a document id used twice, which would score one document twice', async () => {
      await writeFile(join(temp, 'corpus.jsonl'), '{"_id":"d1","text":"zebra"}\n{"_id":"d1","text":"zebra stripes"}\n');
      await writeFile(join(temp, 'queries.jsonl'), '{"_id":"q1","text":"zebra"}\n');
      await writeFile(join(temp, 'qrels.tsv'), 'q1\td1\t1\n');
      const { code, out, err } = await cli('eval', temp);
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /corpus\.jsonl line 2: "_id" "d1" names an earlier document too/);
    });

    it('exits 2 for an embeddings endpoint named without --embeddings-model, instead of scoring lexical alone', async () => {
      const { code, out, err } = await cli('eval', BEIR_TINY, '--embeddings-base-url', 'http://127.0.0.1:1/v1');
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /add --embeddings-model/);
    });

    it('exits 2 for a folder that is not a BEIR set', async () => {
      await mkdir(join(temp, 'empty'));
      const { code, err } = await cli('eval', join(temp, 'empty'));
      assert.equal(code, 2);
      assert.match(err, /corpus\.jsonl not found/);
    });
  });

  describe('search', () => {
    it('says on stderr how far the sync of a first search got, as index does, and nothing of it on stdout', async () => {
      // every reading of the clock is a progress interval later, so each report of the sync is said
      const now = performance.now.bind(performance);
      let later = 0;
      performance.now = () => now() + (later += PROGRESS_EVERY_MS);
      let said: { code: number; out: string; err: string };
      try {
        said = await cli('search', 'parse config', '--folder', WORKSPACE, '--json', '--store', join(temp, 'store'));
      } finally {
        performance.now = now;
      }
      assert.equal(said.code, 0, said.err);
      assert.match(said.err, /^grounded: indexing: \d+ of \d+\+? files read$/m);
      assert.ok(Array.isArray(JSON.parse(said.out)), 'stdout is the JSON alone');
    });

    it('prints ranked passages with range, score, title and a snippet', async () => {
      const { code, out } = await cli('search', 'parse config', '--folder', WORKSPACE, '-k', '2');
      assert.equal(code, 0);
      const lines = out.split('\n');
      assert.match(lines[0] ?? '', /^src\/parseConfig\.ts:1-11 {2}\d+\.\d{3} {2}parseConfig$/);
      assert.match(lines[1] ?? '', /^ {4}.*parseConfig/);
    });

    it('prints a one-line passage as path:line, while its --json id keeps path:start-end', async () => {
      const folder = join(temp, 'ws');
      await mkdir(folder);
      await writeFile(join(folder, 'steps.txt'), 'widget install steps\n');
      const store = join(temp, 'store');
      const { code, out } = await cli('search', 'widget', '--folder', folder, '--store', store);
      assert.equal(code, 0);
      assert.match(out.split('\n')[0] ?? '', /^steps\.txt:1 {2}\d+\.\d{3}$/);
      const json = await cli('search', 'widget', '--folder', folder, '--store', store, '--json');
      assert.equal((JSON.parse(json.out) as { id: string }[])[0]?.id, 'steps.txt:1-1');
    });

    it('prints JSON passages with --json', async () => {
      const { out } = await cli('search', 'install widget', '--folder', WORKSPACE, '--json');
      const passages = JSON.parse(out) as { id: string; location: string }[];
      assert.equal(passages[0]?.id, 'README.md:1-7');
      assert.equal(passages[0]?.location, join(WORKSPACE, 'README.md'));
    });

    it('prints a file name with a newline in it on one line, the newline escaped', async () => {
      const folder = join(temp, 'ws');
      await mkdir(folder);
      await writeFile(join(folder, 'notes\nfake.ts:1-9  9.999'), 'widget install steps\n');
      const { code, out } = await cli('search', 'widget', '--folder', folder, '--store', join(temp, 'store'));
      assert.equal(code, 0);
      assert.match(out.split('\n')[0] ?? '', /^notes\\nfake\.ts:1-9 {2}9\.999:1 {2}\d+\.\d{3}/);
    });

    it('exits 2 for --helper-model without --base-url and --model, instead of answering without a model', async () => {
      const { code, out, err } = await cli('ask', 'flux?', '--folder', WORKSPACE, '--helper-model', 'small');
      assert.equal(code, 2);
      assert.equal(out, '');
      assert.match(err, /--helper-model needs --base-url and --model/);
    });

    it('exits 2 for a missing folder, a missing query or a bad -k', async () => {
      assert.equal((await cli('search', 'x', '--folder', join(temp, 'nope'))).code, 2);
      assert.equal((await cli('search', '--folder', WORKSPACE)).code, 2);
      const bad = await cli('search', 'x', '-k', 'ten', '--folder', WORKSPACE);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /-k must be a positive whole number/);
    });

    it('exits 2 for a query of only spaces, as for an empty one, instead of saying nothing matches', async () => {
      const empty = await cli('search', '', '--folder', WORKSPACE);
      const blank = await cli('search', '   ', '--folder', WORKSPACE);
      assert.equal(blank.code, 2);
      assert.equal(blank.out, '');
      assert.match(blank.err, /^grounded: Missing query\. Usage: grounded search /);
      assert.deepEqual(blank, empty);
    });

    it('exits 2 for an option only a remote engine reads, instead of searching the local index without it', async () => {
      const cases = [
        ['--embeddings-model', 'bge-small', '--embeddings-base-url', 'http://127.0.0.1:1/v1'],
        ['--table', 'team_chunks'],
        ['--query-type', 'HYBRID'],
      ];
      for (const options of cases) {
        const { code, out, err } = await cli('search', 'config', '--folder', WORKSPACE, ...options);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.match(
          err,
          new RegExp(`^grounded: ${options[0]} is for a remote engine; the local index does not use it`),
        );
      }
    });

    it('exits 2 for a -k too large to rank with, instead of failing to allocate it', async () => {
      for (const k of ['10001', '5000000000', '1e20']) {
        const { code, out, err } = await cli('search', 'x', '-k', k, '--folder', WORKSPACE);
        assert.equal(code, 2);
        assert.equal(out, '');
        assert.equal(err, `grounded: -k must be a positive whole number up to 10000, not "${k}".\n`);
      }
      assert.equal((await cli('search', 'config', '-k', '10000', '--folder', WORKSPACE)).code, 0);
    });

    it('exits 1 with the reason when the folder has nothing to index', async () => {
      const { code, err } = await cli('search', 'x', '--folder', temp);
      assert.equal(code, 1);
      assert.match(err, /no text files/i);
      assert.match(err, /Check the ignore files \(\.gitignore, \.groundedignore\)/);
      // what the CLI has no flags for is not named: VS Code's settings, globs of its own
      assert.doesNotMatch(err, /grounded\.index|files\.exclude|glob/);
    });

    it('warns, as index --target does, that a password in --connection-string can be read in ps, never printing it', async () => {
      const server = `127.0.0.1:${await closedPort()}/db`;
      for (const command of ['search', 'ask']) {
        const withPassword = await cli(
          command,
          'widget',
          '--retriever',
          'pgvector',
          '--connection-string',
          `postgres://me:hunter2secret@${server}`,
        );
        assert.equal(withPassword.code, 3, withPassword.err);
        assert.match(
          withPassword.err,
          /^grounded: warning: the password in --connection-string can be read by other users of this machine \(ps\).*PGPASSWORD/,
        );
        assert.doesNotMatch(withPassword.err + withPassword.out, /hunter2secret/);
        const without = await cli(
          command,
          'widget',
          '--retriever',
          'pgvector',
          '--connection-string',
          `postgres://me@${server}`,
        );
        assert.doesNotMatch(without.err, /warning/);
      }
    });

    it('exits 3, as ask does, when a remote engine cannot be reached or refuses the credentials', async () => {
      const pg = ['--retriever', 'pgvector', '--connection-string', `postgres://u@127.0.0.1:${await closedPort()}/db`];
      // a workspace that refuses every token, as Databricks does one without access to the index
      const server = createServer((_req, res) => {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"error_code":"PERMISSION_DENIED","message":"no access"}');
      });
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
      const workspace = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const databricks = ['--retriever', 'databricks-vector-search', '--workspace-url', workspace, '--index', 'a.b.c'];
      const before = { token: process.env['DATABRICKS_TOKEN'], host: process.env['DATABRICKS_HOST'] };
      process.env['DATABRICKS_TOKEN'] = 'dapi-test';
      try {
        const cases: [string[], RegExp][] = [
          [pg, /^grounded: PostgreSQL at 127\.0\.0\.1:\d+\/db could not be reached \(ECONNREFUSED\)/m],
          [databricks, /^grounded: Databricks at 127\.0\.0\.1:\d+ rejected the token for index a\.b\.c/m],
        ];
        for (const [flags, said] of cases)
          for (const command of ['search', 'ask']) {
            const { code, err } = await cli(command, 'widget', ...flags);
            assert.equal(code, 3, `${command} ${flags[1]}: ${err}`);
            assert.match(err, said);
          }
        // a token refused before any request (DATABRICKS_HOST names another workspace)
        process.env['DATABRICKS_HOST'] = 'https://adb-2.azuredatabricks.net';
        for (const command of ['search', 'ask']) {
          const { code, err } = await cli(command, 'widget', ...databricks);
          assert.equal(code, 3, `${command}: ${err}`);
          assert.match(err, /DATABRICKS_TOKEN was not sent/);
        }
      } finally {
        for (const [name, value] of [
          ['DATABRICKS_TOKEN', before.token],
          ['DATABRICKS_HOST', before.host],
        ] as const)
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        await new Promise(resolve => server.close(resolve));
      }
    });
  });

  it('refuses to index the home folder it was run in without --folder (search, ask, index), and indexes it when named', async () => {
    const home = await dirs.make('grounded-cli-home-');
    await writeFile(join(home, 'credentials'), '[default]\naws_secret_access_key = widget-secret\n');
    const before = { cwd: process.cwd(), home: process.env['HOME'] };
    process.env['HOME'] = home;
    process.chdir(home);
    try {
      for (const argv of [['search', 'widget secret'], ['ask', 'widget secret'], ['index']]) {
        const { code, out, err } = await cli(...argv);
        assert.equal(code, 2, `${argv[0]}: ${err}`);
        assert.equal(out, '');
        assert.match(
          err,
          /^grounded: The working directory is .*, the home folder, and no --folder was given: grounded does not index all of that/,
        );
        assert.match(err, /add --folder \/path\/to\/project \(--folder \. to index this folder all the same\)/);
      }
      assert.equal(existsSync(join(temp, 'cache')), false, 'nothing was indexed nor stored');
      const named = await cli('search', 'widget secret', '--folder', '.', '--json');
      assert.equal(named.code, 0, named.err);
      assert.match(named.out, /credentials/);
    } finally {
      process.chdir(before.cwd);
      if (before.home === undefined) delete process.env['HOME'];
      else process.env['HOME'] = before.home;
    }
  });

  describe('ask', () => {
    it('answers a question nothing matches without naming chat’s /search, a command the CLI does not have', async () => {
      // nothing matches and nothing is graded (so no query is rewritten): no model is asked, and the closed port is
      // never reached
      const port = await closedPort();
      const { code, out } = await cli(
        'ask',
        'zqxwv',
        '--folder',
        WORKSPACE,
        '--base-url',
        `http://127.0.0.1:${port}/v1`,
        '--model',
        'm',
        '--no-grading',
      );
      assert.equal(code, 0);
      assert.match(out, /I found nothing in the workspace that answers this\. Try other words\./);
      assert.doesNotMatch(out, /\/search/);
    });
  });

  describe('index', () => {
    it('says that a file given as --folder is a file, not that it was not found', async () => {
      const file = join(WORKSPACE, 'src', 'parseConfig.ts');
      const { code, err } = await cli('index', '--folder', file);
      assert.equal(code, 2);
      assert.match(err, /parseConfig\.ts is a file, not a folder: --folder takes the folder to index/);
      assert.doesNotMatch(err, /not found/);
    });

    it('indexes a folder given twice once, its paths as they are in a single folder', async () => {
      const store = join(temp, 'store');
      const { code } = await cli('index', '--folder', WORKSPACE, '--folder', join(WORKSPACE, '.'), '--store', store);
      assert.equal(code, 0);
      const search = await cli('search', 'parse config', '--folder', WORKSPACE, '--folder', WORKSPACE, '--json');
      assert.equal((JSON.parse(search.out) as { path: string }[])[0]?.path, 'src/parseConfig.ts');
    });

    it('prints file, chunk and skip counts', async () => {
      const { code, out } = await cli('index', '--folder', WORKSPACE);
      assert.equal(code, 0);
      assert.match(out, /files\s+3\n/);
      assert.match(out, /chunks\s+3\n/);
      assert.match(out, /skipped\s+none\n/);
    });

    it('keeps the index in --store and reads nothing again when nothing changed', async () => {
      const store = join(temp, 'store');
      assert.match((await cli('index', '--folder', WORKSPACE, '--store', store)).out, /read\s+3 /);
      assert.match((await cli('index', '--folder', WORKSPACE, '--store', store)).out, /read\s+0 /);
      const search = await cli('search', 'parse config', '--folder', WORKSPACE, '--store', store, '--json');
      assert.equal((JSON.parse(search.out) as { path: string }[])[0]?.path, 'src/parseConfig.ts');
    });

    it('says how many of the files found were read and how many were unchanged, skipped ones among them', async () => {
      const ws = join(temp, 'ws');
      const store = join(temp, 'store');
      await mkdir(ws);
      await writeFile(join(ws, 'a.md'), '# A\n\nAlpha.\n');
      await writeFile(join(ws, 'b.md'), '# B\n\nBravo.\n');
      await writeFile(join(ws, 'blob.bin'), Buffer.from([0, 1, 2, 0, 255, 0, 7, 0]));
      await settleFiles(ws); // the index reads settled files once; racily clean ones again
      const index = (...more: string[]) => cli('index', '--folder', ws, '--store', store, ...more);
      const first = await index();
      assert.match(first.out, /files\s+2\n/);
      assert.match(first.out, /read\s+3 of 3 files found, 0 unchanged\n/);
      assert.match(first.out, /skipped\s+1 binary\n/);
      assert.match((await index()).out, /read\s+0 of 3 files found, 3 unchanged\n/);
      await writeFile(join(ws, 'b.md'), '# B\n\nBravo, again.\n');
      assert.match((await index()).out, /read\s+1 of 3 files found, 2 unchanged\n/);
      assert.match((await index('--rebuild')).out, /read\s+3 of 3 files found, 0 unchanged\n/);
    });

    it('skips links leading out of the workspace, says so, and never finds what lies behind them', async () => {
      const ws = join(temp, 'ws');
      await mkdir(ws);
      await writeFile(join(ws, 'readme.md'), '# Readme\n\nThe root of the project.\n');
      await writeFile(join(temp, 'private.txt'), 'root password hunter2\n');
      await symlink('/', join(ws, 'rootfs'));
      await symlink(join(temp, 'private.txt'), join(ws, 'private.txt'));
      const index = await cli('index', '--folder', ws);
      assert.equal(index.code, 0);
      assert.match(index.out, /files\s+1\n/);
      assert.match(index.out, /note\s+2 links leading outside the workspace were skipped/);
      const search = await cli('search', 'root password passwd', '--folder', ws, '--json');
      assert.equal(search.code, 0);
      assert.deepEqual(
        (JSON.parse(search.out) as { path: string }[]).map(p => p.path),
        ['readme.md'],
      );
    });

    it('finds a file added since the index was saved empty, instead of saying there are no files', async () => {
      const ws = join(temp, 'ws');
      const store = join(temp, 'store');
      await mkdir(ws);
      assert.equal((await cli('index', '--folder', ws, '--store', store)).code, 0);
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nCalibrate the sprocket weekly.\n');
      const search = await cli('search', 'sprocket', '--folder', ws, '--store', store, '--json');
      assert.equal(search.code, 0, search.err);
      assert.deepEqual(
        (JSON.parse(search.out) as { path: string }[]).map(p => p.path),
        ['guide.md'],
      );
    });

    it('rebuilds a damaged store with a note on stderr', async () => {
      const store = join(temp, 'store');
      await cli('index', '--folder', WORKSPACE, '--store', store);
      await writeFile(join(store, 'manifest.bin'), 'garbage');
      const { code, out, err } = await cli('index', '--folder', WORKSPACE, '--store', store);
      assert.equal(code, 0);
      assert.match(err, /rebuilt the workspace index: .*shorter than its header|rebuilt the workspace index/);
      assert.match(out, /read\s+3 /);
    });

    it('exits 1 when the index could not be saved, saying why, with the counts it built', async () => {
      const store = join(temp, 'store');
      await cli('index', '--folder', WORKSPACE, '--store', store);
      // a folder where the manifest goes: it can be neither read nor replaced, as a write on a full disk fails
      await rm(join(store, 'manifest.bin'));
      await mkdir(join(store, 'manifest.bin'));
      const { code, out, err } = await cli('index', '--folder', WORKSPACE, '--store', store);
      assert.equal(code, 1, err);
      assert.match(err, /could not save the workspace index: the index could not be saved in .*store/);
      assert.match(out, /files\s+3\n/);
      const json = await cli('index', '--folder', WORKSPACE, '--store', store, '--json');
      assert.equal(json.code, 1);
      assert.match((JSON.parse(json.out) as { saveProblem?: string }).saveProblem ?? '', /could not be saved/);
    });

    it("refuses a --store folder holding files that are not Grounded's with exit 2, and leaves them as they were", async () => {
      const store = join(temp, 'mine');
      await mkdir(store);
      const files = { 'thesis.tmp': 'chapter one', 'seg-7.bin': 'my segment', 'manifest.bin': 'my manifest' };
      for (const [name, text] of Object.entries(files)) await writeFile(join(store, name), text);
      for (const command of [['index'], ['search', 'widget']]) {
        const { code, err } = await cli(...command, '--folder', WORKSPACE, '--store', store);
        assert.equal(code, 2, err);
        assert.match(err, /already holds files that are not Grounded's.*--store DIR/);
      }
      assert.deepEqual((await readdir(store)).sort(), Object.keys(files).sort());
      for (const [name, text] of Object.entries(files)) assert.equal(await readFile(join(store, name), 'utf8'), text);
    });

    it('fails at once with the reason for a --store that cannot be created (/proc/x), instead of hanging', async function () {
      if (!existsSync('/proc/self')) this.skip();
      const { code, err } = await cli('index', '--folder', WORKSPACE, '--store', '/proc/x');
      assert.equal(code, 1);
      assert.match(err, /cannot create the index folder \/proc\/x \(ENOENT\)/);
    });

    it('exits 2 with the reason for a --store that is a file', async () => {
      const file = join(temp, 'not-a-folder');
      await writeFile(file, 'x');
      const { code, err } = await cli('index', '--folder', WORKSPACE, '--store', file);
      assert.equal(code, 2);
      assert.match(err, /index store .*not-a-folder is not a folder/);
    });
  });

  it('prints the usage and exits 0 for grounded --help, grounded help CMD and grounded CMD --help', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const { code, out } = await cli(...argv);
      assert.equal(code, 0, argv.join(' '));
      assert.match(out, /grounded search .*\n.*grounded index .*\n.*grounded ask .*\n.*grounded eval /s);
    }
    for (const command of ['ask', 'search', 'index', 'eval']) {
      for (const argv of [
        ['help', command],
        [command, '--help'],
        [command, '-h'],
        [command, 'a question', '--json', '--help'],
      ]) {
        const { code, out, err } = await cli(...argv);
        assert.equal(code, 0, argv.join(' '));
        assert.equal(err, '', argv.join(' '));
        assert.match(out, new RegExp(`^Usage:\\n  grounded ${command} `), argv.join(' '));
        assert.doesNotMatch(
          out,
          new RegExp(`grounded (?!${command} )\\w+ `),
          `${argv.join(' ')}: only ${command}'s usage`,
        );
      }
    }
    assert.match((await cli('ask', '--help')).out, /--allow-insecure/);
  });

  it("names every option a command takes in its --help, and where a model's key goes", async () => {
    const remote = [...Object.keys(RETRIEVER_OPTIONS)];
    const takes: Record<string, string[]> = {
      search: ['folder', ...remote, 'json'],
      ask: ['folder', ...remote, ...Object.keys(MODEL_OPTIONS), 'citations', 'json'],
      mcp: ['folder', ...remote, ...Object.keys(MODEL_OPTIONS)],
      index: ['folder', 'store', 'rebuild', 'json', 'target', 'table', ...Object.keys(EMBEDDINGS_OPTIONS)],
      eval: ['json', 'run', ...Object.keys(EMBEDDINGS_OPTIONS)],
    };
    for (const [command, options] of Object.entries(takes)) {
      const { out } = await cli(command, '--help');
      const missing = options.filter(option => !out.includes(`--${option}`));
      assert.deepEqual(missing, [], `grounded ${command} --help`);
    }
    for (const command of ['ask', 'mcp']) assert.match((await cli(command, '--help')).out, /GROUNDED_API_KEY/);
  });

  it('exits 2 for help on an unknown command, and takes a --help after -- as an argument', async () => {
    const unknown = await cli('help', 'frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /Unknown command "frobnicate"/);
    assert.equal((await cli('constructor')).code, 2);
    const { code, out } = await cli('search', '--folder', WORKSPACE, '--store', join(temp, 'store'), '--', '--help');
    assert.equal(code, 0);
    assert.doesNotMatch(out, /^Usage/);
  });

  it('exits 2 with the usage for an unknown command or option', async () => {
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /Unknown command "frobnicate"/);
    assert.equal((await cli('index', '--bogus')).code, 2);
  });
});
