import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { askCommand } from '../../../src/cli/askCommand';
import type { CliIo } from '../../../src/cli/cliIo';
import { run } from '../../../src/cli/run';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

// `grounded ask` over the index fixture workspace, against the loopback fault server.

interface Recorded {
  code: number;
  out: string;
  err: string;
}

async function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; onOut?: (text: string) => void } = {},
): Promise<Recorded> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: t => {
      out += t;
      options.onOut?.(t);
    },
    err: t => (err += t),
    signal: options.signal,
  };
  const code = await askCommand(args, io, options.env ?? {});
  return { code, out, err };
}

describe('grounded ask', () => {
  const dirs = tempDirs();
  let server: FaultServer;
  let cache: string;
  const cacheBefore = process.env['XDG_CACHE_HOME'];
  const model = () => ['--folder', FIXTURE_WORKSPACE, '--base-url', server.baseUrl, '--model', 'fault-model'];
  beforeEach(async () => {
    cache = await dirs.make('grounded-ask-cache-');
    process.env['XDG_CACHE_HOME'] = cache; // the stored index lands here, not in the real cache
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', '`npm install widget` ', '[1].'],
    }));
  });
  afterEach(async () => {
    if (cacheBefore === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = cacheBefore;
    await server.close();
  });

  it('answers over the stored index, which grounded index then finds up to date (it reads no file)', async () => {
    const store = join(cache, 'store');
    const first = await cli(['install widget', '--folder', FIXTURE_WORKSPACE, '--store', store]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /README\.md:/);
    let notes = '';
    const again = await run(['index', '--folder', FIXTURE_WORKSPACE, '--store', store], {
      out: t => (notes += t),
      err: () => undefined,
    });
    assert.equal(again, 0);
    assert.match(notes, /read\s+0 /, 'the index ask built was stored');
  });

  it('prints the tokens as they arrive, then each claim’s citation as path:line of the one line that says it', async () => {
    const writes: string[] = [];
    const { code, out } = await cli(['how do I install widget?', ...model()], {
      env: { GROUNDED_API_KEY: 'sk-cli-key-1' },
      onOut: t => writes.push(t),
    });
    assert.equal(code, 0);
    // a token's trailing space is written with what follows it (it goes if an invented number follows)
    assert.deepEqual(writes.slice(0, 3), ['Run', ' `npm install widget`', ' [1].'], 'one write per token');
    assert.equal(out, 'Run `npm install widget` [1].\n\nSources:\n  [1] README.md:7  “Run `npm install widget`”\n');
    assert.deepEqual(
      server.chatRequests.map(r => [isGradeRequest(r), r.authorization]),
      [
        [true, 'Bearer sk-cli-key-1'],
        [false, 'Bearer sk-cli-key-1'],
      ],
    );
  });

  it('lists the passages an answer that cites nothing was written from, each as path:start-end', async () => {
    await server.close();
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', '`npm install widget`.'],
    }));
    const { code, out, err } = await cli(['how do I install widget?', ...model()]);
    assert.equal(code, 0, err);
    assert.equal(out, 'Run `npm install widget`.\n\nSources:\n  README.md:1-7\n');
  });

  it('skips grading with --no-grading', async () => {
    const { code } = await cli(['install widget', ...model(), '--no-grading']);
    assert.equal(code, 0);
    assert.deepEqual(server.chatRequests.map(isGradeRequest), [false]);
  });

  it('fits the prompts to --max-input-tokens, saying what it left out, and refuses a question that cannot fit', async () => {
    const fitted = await cli(['install widget', ...model(), '--no-grading', '--max-input-tokens', '400']);
    assert.equal(fitted.code, 0, fitted.err);
    assert.match(
      fitted.err,
      /\n… Left out 1 passage to fit the model’s context \(400 tokens\)\n… Writing the answer from 1 passage\n/,
    );
    for (const request of server.chatRequests) {
      const chars = (request.body?.messages ?? []).reduce(
        (sum, m) => sum + (typeof m.content === 'string' ? m.content.length : 0),
        0,
      );
      // 400 tokens less the quarter kept for the answer, at 3.5 characters a token at most
      assert.ok(chars / 3.5 <= 300, `${chars} characters sent`);
    }
    const requestsBefore = server.chatRequests.length;
    const refused = await cli([`why ${'does this fail '.repeat(100)}`, ...model(), '--max-input-tokens', '400']);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /no room for the passages .*\(400 tokens\)/);
    // the limit is the flag's: the fix names it, not a VS Code setting nor another model
    assert.match(refused.err, /Shorten the question, or raise --max-input-tokens, which set this limit, if the model/);
    assert.doesNotMatch(refused.err, /grounded\.model|larger context/);
    assert.equal(server.chatRequests.length, requestsBefore);
    await assert.rejects(
      cli(['install widget', ...model(), '--max-input-tokens', 'lots']),
      /--max-input-tokens must be a whole number \(0 for no limit\), not "lots"/,
    );
  });

  it('prints one AnswerEvent per line with --json', async () => {
    const { code, out } = await cli(['install widget', ...model(), '--json', '--no-grading']);
    assert.equal(code, 0);
    const events = out
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { type: string; text?: string });
    assert.deepEqual(
      events.filter(e => e.type === 'token').map(e => e.text),
      ['Run ', '`npm install widget` ', '[1].'],
    );
    assert.equal(events[events.length - 1]?.type, 'done');
    assert.ok(events.some(e => e.type === 'sources'));
    const done = events[events.length - 1] as unknown as {
      citations: {
        n: number;
        claim: string;
        startLine: number;
        endLine: number;
        support: string;
        passage: { path: string };
      }[];
    };
    assert.deepEqual(
      done.citations.map(c => [c.n, c.passage.path, c.claim, c.startLine, c.endLine, c.support]),
      [[1, 'README.md', 'Run `npm install widget`', 7, 7, 'supported']],
    );
    assert.ok(
      events.findIndex(e => e.type === 'citation') < events.findIndex(e => e.text === '[1].'),
      'the citation comes before its marker',
    );
  });

  it('leaves out a number that names no source, printed and in done.answer alike, as chat and the panel do', async () => {
    await server.close();
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', '`npm install widget` ', '[2]', '[1', ', 7].'],
    }));
    const printed = await cli(['install widget', ...model()]);
    assert.equal(printed.code, 0, printed.err);
    assert.match(printed.out, /^Run `npm install widget` \[1\]\.\n\nSources:\n {2}\[1\] README\.md:7 /);
    const json = await cli(['install widget', ...model(), '--json']);
    const done = JSON.parse(json.out.trim().split('\n').at(-1) ?? '') as { type: string; answer: string };
    assert.deepEqual([done.type, done.answer], ['done', 'Run `npm install widget` [1].']);
  });

  it('prints the search results without a model as grounded search does, and says on stderr which flags name one', async () => {
    const { code, out, err } = await cli(['install widget', '--folder', FIXTURE_WORKSPACE]);
    assert.equal(code, 0);
    let searched = '';
    const searchCode = await run(['search', 'install widget', '--folder', FIXTURE_WORKSPACE], {
      out: t => (searched += t),
      err: () => undefined,
    });
    assert.equal(searchCode, 0);
    assert.match(searched, /^README\.md:1-7 {2}\d+\.\d{3} {2}Install\n {4}7 {2}Run `npm install widget`/);
    // the same results, printed the same way: no chat markdown, no Sources list repeating them
    assert.equal(out, searched);
    assert.match(err, /no model was named.*add --base-url URL --model NAME.*GROUNDED_API_KEY/);
    assert.equal(server.requests.length, 0);
    // a script gets the events as before: the results as the answer's text, each cited
    const json = await cli(['install widget', '--folder', FIXTURE_WORKSPACE, '--json']);
    const done = JSON.parse(json.out.trim().split('\n').at(-1) ?? '') as {
      type: string;
      mode: string;
      answer: string;
      citations: unknown[];
    };
    assert.deepEqual([done.type, done.mode], ['done', 'search']);
    assert.match(done.answer, /^\*\*No language model is available, so these are search results, not an answer:\*\*/);
    assert.equal(done.citations.length, 2);
  });

  it('prints a cited file whose name holds a newline on one Sources line, the newline escaped', async () => {
    const folder = await dirs.make('grounded-ask-names-');
    await writeFile(join(folder, 'notes\n[2] fake.md:1-1'), 'Install the widget with npm install widget.\n');
    const { code, out } = await cli([
      'how do I install widget?',
      '--folder',
      folder,
      '--base-url',
      server.baseUrl,
      '--model',
      'fault-model',
      '--no-grading',
    ]);
    assert.equal(code, 0);
    const sources = out.slice(out.indexOf('Sources:\n'));
    assert.match(sources, /^Sources:\n {2}\[1\] notes\\n\[2\] fake\.md:1-1:1 [^\n]*\n$/);
  });

  it('exits 3 on a rejected key and says where the key goes in a terminal', async () => {
    server.enqueue({ status: 401 });
    const { code, err } = await cli(['install widget', ...model(), '--no-grading']);
    assert.equal(code, 3);
    assert.match(
      err,
      /\ngrounded: The model endpoint rejected the credentials\. Check GROUNDED_API_KEY in the environment\.\n$/,
    );
    assert.doesNotMatch(err, /“Grounded:/);
  });

  it('names the flags to check, not a VS Code command, in a --json error', async () => {
    server.enqueue({ status: 404 });
    const { code, out } = await cli(['install widget', ...model(), '--no-grading', '--json']);
    assert.equal(code, 3);
    const last = JSON.parse(out.trim().split('\n').pop() ?? '') as { error: { kind: string; message: string } };
    assert.deepEqual(last.error, {
      kind: 'no-model',
      message: 'The model endpoint has no such model (HTTP 404). Check --base-url and --model.',
    });
  });

  /**
   * `grounded ask` at a host the resolver does not know, answered as fetch throws it, without asking a real resolver;
   * `requests` counts what was sent.
   */
  async function askUnknownHost(...flags: string[]): Promise<Awaited<ReturnType<typeof cli>> & { requests: number }> {
    const realFetch = globalThis.fetch;
    let requests = 0;
    globalThis.fetch = () => {
      requests++;
      const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND llm.exmaple.com'), { code: 'ENOTFOUND' });
      return Promise.reject(new TypeError('fetch failed', { cause: lookup }));
    };
    try {
      const args = ['install widget', '--folder', FIXTURE_WORKSPACE, '--base-url', 'https://llm.exmaple.com/v1'];
      return { ...(await cli([...args, '--model', 'm', ...flags])), requests };
    } finally {
      globalThis.fetch = realFetch;
    }
  }

  it('reports a host name that does not exist once, naming its flag: the grade meets it, and no answer is asked for', async () => {
    const { code, err, requests } = await askUnknownHost();
    assert.equal(code, 3);
    assert.doesNotMatch(err, /Grading failed/);
    assert.match(
      err,
      /\ngrounded: .*the host name llm\.exmaple\.com was not found \(ENOTFOUND\)\. Check the host name in --base-url\.\n$/,
    );
    assert.doesNotMatch(err, /grounded\.model\.baseUrl/);
    assert.equal(requests, 1, 'the grading request only');
  });

  it('names a setting by its flag in --json output, its steps and its error alike', async () => {
    const { code, out } = await askUnknownHost('--json');
    assert.equal(code, 3);
    const events = out
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { type: string; detail?: string; error?: { message: string } });
    assert.ok(events.some(e => e.type === 'step'));
    assert.match(events.at(-1)?.error?.message ?? '', /Check the host name in --base-url\./);
    assert.doesNotMatch(out, /grounded\.model\.baseUrl/);
  });

  it('prints the cause of a failure the message would send to the Grounded output, which a terminal lacks', async () => {
    server.enqueue({ status: 400 }, { status: 400 }); // the stream, then the whole-answer fallback
    const { code, err } = await cli(['install widget', ...model(), '--no-grading']);
    // a failure of no known kind exits 1, as a general failure, not 3 as a model or network error known to be one
    assert.equal(code, 1);
    assert.match(err, /\ngrounded: The model call failed\.\ngrounded: cause: .*Scripted 400/);
    assert.doesNotMatch(err, /“Grounded” output/);
  });

  it('exits 3 when the model declines, saying its reason', async () => {
    server.enqueue({ tokens: [], refusal: ["I can't help with that."] });
    const { code, out, err } = await cli(['install widget', ...model(), '--no-grading']);
    assert.equal(code, 3);
    assert.equal(out, '');
    assert.match(
      err,
      /\ngrounded: The model declined to answer \(“I can't help with that\.”\)\. Rephrase the question and try again\.\n$/,
    );
  });

  it('exits 4 when the stream breaks, with the partial answer printed', async () => {
    server.enqueue({ tokens: ['one ', 'two ', 'three '], cutAfter: 2 });
    const { code, out, err } = await cli(['install widget', ...model(), '--no-grading']);
    assert.equal(code, 4);
    assert.equal(out, 'one two \n[interrupted]\n');
    assert.match(err, /cut off/);
  });

  it('prints the Sources the partial answer cited after [interrupted] when the stream breaks', async () => {
    server.enqueue({ tokens: ['Run ', '`npm install widget` ', '[1].', ' Then'], cutAfter: 3 });
    const { code, out } = await cli(['install widget', ...model(), '--no-grading']);
    assert.equal(code, 4);
    assert.equal(
      out,
      'Run `npm install widget` [1].\n[interrupted]\n\nSources:\n  [1] README.md:7  “Run `npm install widget`”\n',
    );
  });

  it('exits 130 on Ctrl-C and hangs up the HTTP request', async () => {
    // the first token, then nothing until the client hangs up: Ctrl-C comes mid-stream however slow the machine
    server.enqueue({ tokens: ['a ', 'b ', 'c ', 'd '], stallMidStream: { tokens: 1, ms: Infinity } });
    const controller = new AbortController();
    const { code } = await cli(['install widget', ...model(), '--no-grading'], {
      signal: controller.signal,
      onOut: () => controller.abort(),
    });
    assert.equal(code, 130);
    assert.ok(await until(() => server.chatRequests[0]?.clientClosedAt), 'the server saw the connection close');
  });

  it('exits 2 on bad input, through the CLI entry', async () => {
    const io = { out: () => undefined, err: () => undefined };
    assert.equal(
      await run(['ask', 'q', '--model', 'm', '--folder', FIXTURE_WORKSPACE], io),
      2,
      '--model without --base-url',
    );
    assert.equal(await run(['ask', '--folder', FIXTURE_WORKSPACE], io), 2, 'no question');
    assert.equal(await run(['ask', 'q', '--folder', '/no/such/folder'], io), 2);
  });
});
