import assert from 'node:assert/strict';
import { ask, type AskDeps } from '../../../src/core/ask';
import { realClock, type Clock } from '../../../src/core/clock';
import { fixActions } from '../../../src/core/errors';
import type { AnswerEvent, AskRequest } from '../../../src/core/events';
import type { AskOptions } from '../../../src/core/options';
import { createOpenAiCompatibleModel } from '../../../src/providers/openAiCompatible';
import { FakeClock, VirtualClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { FaultServer, isGradeRequest, lastUserText } from '../../fakes/faultServer';
import { collect } from '../../support/collect';
import { until } from '../../support/until';

// Resilience through ask() with the real @langchain/openai client against a loopback endpoint that misbehaves
// on request: what the user sees, and what the network saw.

/**
 * The silence limit (first token, idle) of the tests that stall or pace the server, on a virtual clock: its time
 * passes only when a test lets it, so how long the loopback takes on a busy machine does not count.
 */
const SILENCE_LIMIT_MS = 1000;
const silenceLimits = { firstTokenTimeoutMs: SILENCE_LIMIT_MS, idleTimeoutMs: SILENCE_LIMIT_MS };
/**
 * Lets `ms` of the clock's time pass once the client took the piece sent before (its silence limit counts afresh
 * from now): the pieces of a reply come `ms` apart as the client sees them, however long the loopback takes.
 */
async function apart(clock: VirtualClock, ms: number): Promise<void> {
  await until(() => clock.nextDueIn === SILENCE_LIMIT_MS);
  clock.advance(ms);
}
/**
 * Every event of the answer on a virtual clock whose time passes by the silence limit once `stalled` holds (the server
 * stopped sending, and the client waits): the limit runs out for the stalled reply alone, however slow the machine.
 */
async function answerPastLimit(
  server: FaultServer,
  stalled: (seen: AnswerEvent[]) => unknown,
  options: Partial<AskOptions>,
): Promise<AnswerEvent[]> {
  const clock = new VirtualClock();
  const seen: AnswerEvent[] = [];
  const pending = answer(server, {}, { clock, options, onEvent: e => seen.push(e) });
  assert.ok(await until(() => stalled(seen) && clock.nextDueIn !== undefined), 'the reply stalled');
  clock.advance(SILENCE_LIMIT_MS);
  return pending;
}
const TOKENS = ['t0 ', 't1 ', 't2 ', 't3 ', 't4 ', 't5 ', 't6 ', 't7 ', 't8 '];
const retriever = new FakeRetriever(() => [passage(1, 'flux level is 88'), passage(2), passage(3)]);

const endpointModel = (server: FaultServer) =>
  createOpenAiCompatibleModel(
    { preset: 'custom', label: 'Fault server', baseURL: server.baseUrl, model: 'fault-model', keyRequired: false },
    'fault-model',
    'sk-test-key-123',
  );

/** Every event of an answer from the endpoint at `baseURL`, which needs no key (one that cannot be reached as named). */
function answerAt(baseURL: string, label: string): Promise<AnswerEvent[]> {
  const model = createOpenAiCompatibleModel(
    { preset: 'custom', label, baseURL, model: 'm', keyRequired: false },
    'm',
    undefined,
  );
  const deps: AskDeps = { retriever, model, clock: new FakeClock(), options: { grading: false } };
  return collect(ask({ question: 'flux level?' }, deps));
}

/** Every event of an answer from the fault server's endpoint (`onEvent` sees each as it arrives). */
function answer(
  server: FaultServer,
  request: Partial<AskRequest> = {},
  extra: { options?: Partial<AskOptions>; clock?: Clock; onEvent?: (e: AnswerEvent) => void } = {},
): Promise<AnswerEvent[]> {
  const deps: AskDeps = {
    retriever,
    model: endpointModel(server),
    clock: extra.clock ?? new FakeClock(),
    options: { grading: false, ...extra.options },
  };
  return collect(ask({ question: 'flux level?', ...request }, deps), extra.onEvent);
}

const tokens = (events: AnswerEvent[]) => events.flatMap(e => (e.type === 'token' ? [e.text] : []));
const last = (events: AnswerEvent[]) => events[events.length - 1];
const steps = (events: AnswerEvent[]) => events.flatMap(e => (e.type === 'step' ? [e.detail] : []));

describe('ask() against an OpenAI-compatible endpoint (loopback fault server)', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await FaultServer.start(() => ({ tokens: TOKENS }));
  });
  afterEach(() => server.close());

  it('streams the tokens in order, sends the key as a bearer token, and cites the passage', async () => {
    server.enqueue({ tokens: ['Set it', ' to 88', ' [1].'] });
    const events = await answer(server);
    assert.deepEqual(tokens(events), ['Set it', ' to 88', ' [1].']);
    const done = last(events);
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.deepEqual(
      done.citations.map(c => [c.n, c.passage.text]),
      [[1, 'flux level is 88']],
    );
    assert.deepEqual(
      server.chatRequests.map(r => [r.stream, r.authorization, r.body?.model]),
      [[true, 'Bearer sk-test-key-123', 'fault-model']],
    );
  });

  for (const n of [1, 4, 8]) {
    it(`keeps the partial answer when the connection is cut at token ${n}, without retrying`, async () => {
      server.enqueue({ tokens: TOKENS, cutAfter: n });
      const events = await answer(server);
      const end = last(events);
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, 'stream-broken');
      assert.equal(end.partial, TOKENS.slice(0, n).join(''));
      assert.equal(tokens(events).join(''), end.partial, 'every token shown once, none lost');
      assert.equal(server.chatRequests.length, 1, 'no retry after the first token');
    });
  }

  it('keeps the partial answer of a stream closed in order with neither [DONE] nor a finish reason, as cut off', async () => {
    server.enqueue({ tokens: TOKENS.slice(0, 3), finishReason: null, done: false });
    const events = await answer(server);
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    assert.match(end.error.message, /cut off: the endpoint closed the stream before the answer was finished/);
    assert.equal(end.partial, TOKENS.slice(0, 3).join(''));
    assert.equal(server.chatRequests.length, 1);
  });

  for (const [what, script] of [
    ['[DONE] but no finish reason', { finishReason: null }],
    ['a finish reason in a chunk without delta, and no [DONE]', { finishWithoutDelta: true, done: false }],
  ] as const) {
    it(`takes a stream that ends with ${what} as a whole answer`, async () => {
      server.enqueue({ tokens: TOKENS.slice(0, 3), ...script });
      const end = last(await answer(server));
      assert.ok(end?.type === 'done', JSON.stringify(end));
      assert.equal(end.answer, TOKENS.slice(0, 3).join(''));
    });
  }

  for (const [reason, said] of [
    ['content_filter', /content filter stopped the answer/],
    ['length', /output limit/],
  ] as const) {
    it(`says why an answer stopped with finish reason ${reason}, keeping what came`, async () => {
      server.enqueue({ tokens: TOKENS.slice(0, 2), finishReason: reason });
      const end = last(await answer(server));
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.match(end.error.message, said);
      assert.equal(end.partial, TOKENS.slice(0, 2).join(''));
    });
  }

  it('refuses, without a second request, a content filter that stops the answer before its first token', async () => {
    server.enqueue({ tokens: [], finishReason: 'content_filter' });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /content filter stopped the answer\. Rephrase the question and try again\./);
    assert.equal(server.chatRequests.length, 1);
  });

  it('reports a streamed refusal as the model declining, quoting its reason, after one request', async () => {
    server.enqueue({ tokens: [], refusal: ["I'm sorry, ", "I can't help with that."] });
    const events = await answer(server);
    assert.deepEqual(tokens(events), []);
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(
      end.error.message,
      /^The model declined to answer \(“I'm sorry, I can't help with that\.”\)\. Rephrase/,
    );
    assert.equal(server.chatRequests.length, 1, 'no non-streaming fallback to the same refusal');
  });

  it('keeps the answer streamed before a refusal, as cut off by it', async () => {
    server.enqueue({ tokens: TOKENS.slice(0, 2), refusal: ['I cannot continue.'] });
    const events = await answer(server);
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    assert.match(end.error.message, /cut off: the model declined to answer \(“I cannot continue\.”\)/);
    assert.equal(end.partial, TOKENS.slice(0, 2).join(''));
  });

  it('reports the non-streaming fallback’s refusal (content null) as the model declining, shortened to one line', async () => {
    const reason = `I can't\n\nhelp with ${'that '.repeat(60)}`;
    server.enqueue({ tokens: TOKENS, malformedAt: 0 }, { tokens: [], refusal: [reason] });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /declined to answer \(“I can't help with that that [^\n]*…”\)\. Rephrase/);
    assert.ok(end.error.message.length < 250, end.error.message);
  });

  it('takes a refusal that says "empty" for a refusal, not for an empty answer to ask again', async () => {
    server.enqueue({ tokens: [], refusal: ['I will not describe an empty workspace.'] });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, /declined to answer \(“I will not describe an empty workspace\.”\)/);
    assert.equal(server.chatRequests.length, 1);
  });

  it('retries a connection cut before the first token and shows each token once', async () => {
    server.enqueue({ cutAfter: 0 }, { tokens: ['a', 'b'] });
    const events = await answer(server);
    assert.deepEqual(tokens(events), ['a', 'b']);
    assert.equal(server.chatRequests.length, 2);
  });

  it('retries 429 and 500 before the first token, waiting as Retry-After says, and never repeats a token', async () => {
    const clock = new FakeClock();
    server.enqueue({ status: 429, retryAfter: '2' }, { status: 500 }, { tokens: ['a', 'b', 'c'] });
    const events = await answer(server, {}, { clock });
    assert.deepEqual(tokens(events), ['a', 'b', 'c']);
    assert.deepEqual(clock.sleeps, [2000, 750], 'Retry-After 2 s, then 500 ms × 2^1 with equal jitter');
    assert.equal(server.chatRequests.length, 3);
    assert.equal(steps(events).filter(s => /retrying in/.test(s)).length, 2);
    const done = last(events);
    assert.ok(done?.type === 'done' && done.usage.retries === 2 && done.usage.modelCalls === 3);
  });

  for (const [what, retryAfter, wait] of [
    ['in seconds', () => '1800', 'about 30 min'],
    ['as a date', () => new Date(Date.now() + 3 * 3600_000).toUTCString(), 'about 3 h'],
  ] as const) {
    it(`reports at once, naming the wait, a 429 whose Retry-After (${what}) asks for longer than a retry waits`, async () => {
      const clock = new FakeClock();
      server.setPicker(() => ({ status: 429, retryAfter: retryAfter() }));
      const events = await answer(server, {}, { clock });
      const end = last(events);
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, 'rate-limit');
      assert.match(end.error.message, new RegExp(`asks to wait ${wait}`));
      assert.equal(server.chatRequests.length, 1, 'no retry the endpoint said it would refuse, and no fallback');
      assert.deepEqual(clock.sleeps, []);
    });
  }

  it('spaces a real retry by Retry-After on the wire', async () => {
    server.enqueue({ status: 429, retryAfter: '0.3' }, { tokens: ['ok'] });
    const events = await answer(server, {}, { clock: realClock });
    assert.deepEqual(tokens(events), ['ok']);
    const [first, second] = server.chatRequests;
    assert.ok(first && second);
    const gap = second.startedAt - first.startedAt;
    assert.ok(gap >= 290 && gap < 700, `second request ${gap} ms after the first`);
  });

  it('falls back to one non-streaming request when the stream is malformed before the first token', async () => {
    server.enqueue({ tokens: TOKENS, malformedAt: 0 }, { tokens: ['whole ', 'answer [1]'] });
    const events = await answer(server);
    assert.deepEqual(
      server.chatRequests.map(r => r.stream),
      [true, false],
    );
    assert.deepEqual(tokens(events), ['whole answer [1]']);
    const done = last(events);
    assert.ok(done?.type === 'done' && done.usage.fallback);
  });

  it('says when the non-streaming fallback’s answer stopped at the output limit, keeping it as cut off', async () => {
    server.enqueue({ tokens: TOKENS, malformedAt: 0 }, { tokens: ['Half an ', 'answer [1]'], finishReason: 'length' });
    const events = await answer(server);
    assert.deepEqual(tokens(events), ['Half an answer [1]']);
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    assert.match(end.error.message, /cut off: the answer reached the model's output limit/);
    assert.equal(end.partial, 'Half an answer [1]');
  });

  it('says the fallback’s reply spent the output limit on reasoning when the limit stops it inside its <think> block', async () => {
    server.enqueue(
      { tokens: TOKENS, malformedAt: 0 },
      { tokens: ['<think>The passages say ', '[1], and'], finishReason: 'length' },
    );
    const events = await answer(server);
    assert.deepEqual(tokens(events), [], 'reasoning is not the answer');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, /spent its output limit .* on reasoning/);
  });

  it('reads a fallback’s reply cut before </think> as reasoning when the model’s template opens the block', async () => {
    server.enqueue(
      { tokens: ['Passage 1 says 88.\n</think>\n\n{"relevant":[1]}'] },
      { tokens: TOKENS, malformedAt: 0 },
      { tokens: ['The user asks about ', 'the flux level [1], so'], finishReason: 'length' },
      { tokens: ['Passage 1 says 88.\n</think>\n\n{"relevant":[1]}'] },
      { tokens: ['Hmm.\n</think>\n\n', 'Set it to 88 [1].'] },
    );
    const events = await answer(server, {}, { options: { grading: true } });
    assert.deepEqual(tokens(events), [], 'the reasoning the template opened is not the answer');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, /spent its output limit .* on reasoning/);
    // the cut reply did not make the model one whose template does not open the block: its next answer is held too
    assert.equal(tokens(await answer(server, {}, { options: { grading: true } })).join(''), 'Set it to 88 [1].');
  });

  it('says a content filter stopped the non-streaming fallback’s answer, not that the model gave an empty one', async () => {
    server.enqueue({ tokens: TOKENS, malformedAt: 0 }, { tokens: [], finishReason: 'content_filter' });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /content filter stopped the answer/);
  });

  it('does not fall back after the first token: a malformed chunk mid-stream keeps the partial', async () => {
    server.enqueue({ tokens: TOKENS, malformedAt: 3 });
    const events = await answer(server);
    const end = last(events);
    assert.ok(end?.type === 'error' && end.error.kind === 'stream-broken', JSON.stringify(end));
    assert.equal(end.partial, 't0 t1 t2 ');
    assert.deepEqual(
      server.chatRequests.map(r => r.stream),
      [true],
    );
  });

  it('reports 401 as an auth error naming the fix, after one request', async () => {
    server.enqueue({ status: 401 });
    const events = await answer(server);
    const end = last(events);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'auth');
    assert.match(end.error.message, /Grounded: Set API Key/);
    assert.equal(end.error.options.action?.command, 'grounded.setApiKey');
    assert.ok(!end.error.message.includes('sk-test-key-123'));
    assert.equal(server.chatRequests.length, 1, 'no retry, no fallback');
  });

  it('reports an https:// URL of a plain http server after one attempt: no retry or fallback can get through', async () => {
    const events = await answerAt(server.baseUrl.replace(/^http:/, 'https:'), 'Fault server');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'network');
    assert.match(end.error.message, /does not speak https/);
    assert.deepEqual(
      steps(events).filter(s => /retrying|whole answer/.test(s)),
      [],
      'neither retried nor asked again without streaming',
    );
  });

  it('reports a host name that does not exist after one request: no retry or fallback, naming the host and the setting', async () => {
    const realFetch = globalThis.fetch;
    const requests: string[] = [];
    // the resolver's answer for a mistyped host, as fetch throws it, without asking a real resolver
    globalThis.fetch = (input: string | URL | Request) => {
      requests.push(String(input instanceof Request ? input.url : input));
      const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND llm.exmaple.com'), {
        code: 'ENOTFOUND',
        hostname: 'llm.exmaple.com',
      });
      return Promise.reject(new TypeError('fetch failed', { cause: lookup }));
    };
    try {
      const events = await answerAt('https://llm.exmaple.com/v1', 'Mistyped');
      const end = last(events);
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, 'network');
      assert.match(
        end.error.message,
        /https:\/\/llm\.exmaple\.com: the host name llm\.exmaple\.com was not found \(ENOTFOUND\)\. Check the host name in grounded\.model\.baseUrl\./,
      );
      assert.equal(requests.length, 1, 'one request: neither retried nor asked again without streaming');
      assert.deepEqual(
        steps(events).filter(s => /retrying|whole answer/.test(s)),
        [],
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('reports a connection refused on this machine (a local server not started) after one attempt, without a fallback', async () => {
    const closed = await FaultServer.start(() => ({ tokens: TOKENS }));
    const baseUrl = closed.baseUrl;
    await closed.close();
    const events = await answerAt(baseUrl, 'Not started');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'network');
    assert.match(end.error.message, /the connection was refused \(ECONNREFUSED\)/);
    assert.deepEqual(
      steps(events).filter(s => /retrying|whole answer/.test(s)),
      [],
      'neither retried nor asked again without streaming',
    );
  });

  it('reports 404 (a wrong endpoint or model name) as no-model pointing at Test Connection', async () => {
    server.enqueue({ status: 404 });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error' && end.error.kind === 'no-model');
    assert.equal(end.error.options.action?.command, 'grounded.testConnection');
    assert.equal(server.chatRequests.length, 1);
  });

  it('reports a 400 about the request’s content as a refused request, not as the model declining to answer', async () => {
    const tooLong = {
      status: 400,
      errorMessage: "Invalid 'messages[1].content': string too long. Expected a string with maximum length 1048576.",
    };
    server.enqueue(tooLong, tooLong);
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.notEqual(end.error.kind, 'model-refused');
    assert.doesNotMatch(end.error.message, /declined/);
  });

  it('says a prompt over the model’s context window is too long, after one request: no retry or fallback repeats it', async () => {
    server.enqueue({
      status: 400,
      errorMessage:
        "This model's maximum context length is 4096 tokens. However, you requested 5210 tokens (4186 in the messages, 1024 in the completion). Please reduce the length of the messages or completion.",
      errorCode: 'context_length_exceeded',
    });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /context window/);
    assert.equal(server.chatRequests.length, 1);
  });

  for (const [source, fix] of [
    [
      'setting',
      /fitted them to grounded\.model\.maxInputTokens \(8,192 tokens\), which is more than the model takes\. Lower it/,
    ],
    [
      'default',
      /fitted them to the 8,192 tokens assumed for the endpoint while grounded\.model\.maxInputTokens is unset\. Set it/,
    ],
  ] as const)
    it(`names grounded.model.maxInputTokens, and offers it, for a prompt over the context when the ${source} set the limit`, async () => {
      server.enqueue({
        status: 400,
        errorMessage: "This model's maximum context length is 4096 tokens. However, you requested 5210 tokens.",
        errorCode: 'context_length_exceeded',
      });
      const options = { maxInputTokens: 8192, maxInputTokensSource: source };
      const end = last(await answer(server, {}, { options }));
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, 'model-refused');
      assert.match(end.error.message, /^The question and its passages are longer than the model's context window\. /);
      assert.match(end.error.message, fix);
      assert.equal(end.error.options.setting, 'grounded.model.maxInputTokens');
      assert.deepEqual(fixActions(end.error)[0]?.arguments, ['grounded.model.maxInputTokens']);
      assert.equal(server.chatRequests.length, 1);
    });

  it('names no setting for a prompt over the context of a model that gave its own limit', async () => {
    server.enqueue({ status: 400, errorCode: 'context_length_exceeded' });
    const end = last(await answer(server, {}, { options: { maxInputTokens: 8192 } }));
    assert.ok(end?.type === 'error' && end.error.kind === 'model-refused', JSON.stringify(end));
    assert.match(end.error.message, /context window\. Ask about less, or use a model with a larger context\.$/);
    assert.equal(end.error.options.setting, undefined);
  });

  it('reads an error event the server sends mid-stream by its reason: a context overflow says so, keeping what streamed', async () => {
    server.enqueue({
      tokens: TOKENS,
      streamErrorAfter: {
        tokens: 2,
        message: "This model's maximum context length is 4096 tokens. However, you requested 5210 tokens.",
        code: 'context_length_exceeded',
      },
    });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    assert.match(
      end.error.message,
      /^The answer was cut off: the question and its passages are longer than the model's context window/,
    );
    assert.equal(end.partial, TOKENS.slice(0, 2).join(''));
  });

  it('reads an error event before the first token as the server’s refusal when a content filter sends it', async () => {
    server.enqueue({
      tokens: TOKENS,
      streamErrorAfter: { tokens: 0, message: 'The response was filtered by the content management policy.' },
    });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error' && end.error.kind === 'model-refused', JSON.stringify(end));
    assert.match(end.error.message, /declined/);
  });

  it('reports Azure’s content filter refusing the prompt (HTTP 400) as the model declining, after one request', async () => {
    server.enqueue({
      status: 400,
      errorMessage:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      errorCode: 'content_filter',
    });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error' && end.error.kind === 'model-refused', JSON.stringify(end));
    assert.equal(server.chatRequests.length, 1);
  });

  it('closes the HTTP connection on a cancel mid-stream, before the server is done, keeping what streamed', async () => {
    // the first token, then nothing until the client hangs up: the cancel comes mid-stream however slow the machine
    server.enqueue({ tokens: TOKENS, stallMidStream: { tokens: 1, ms: Infinity } });
    const controller = new AbortController();
    const events = await answer(
      server,
      { signal: controller.signal },
      {
        onEvent: e => {
          if (e.type === 'token') controller.abort();
        },
      },
    );
    const end = last(events);
    assert.ok(end?.type === 'error' && end.error.kind === 'cancelled', JSON.stringify(end));
    assert.equal(end.partial, 't0 ');
    // the fault server records a close only while it still had tokens to send
    assert.ok(await until(() => server.chatRequests[0]?.clientClosedAt), 'the client closed the connection');
    assert.ok((server.chatRequests[0]?.tokensSent ?? 0) < TOKENS.length, 'the server stopped sending');
  });

  it('closes the connection on a cancel while waiting for the first token, and does not retry', async () => {
    server.enqueue({ stallBeforeFirstMs: Infinity });
    const controller = new AbortController();
    const pending = answer(server, { signal: controller.signal });
    assert.ok(await until(() => server.chatRequests[0]?.startedAt), 'the request reached the server');
    controller.abort();
    const end = last(await pending);
    assert.ok(end?.type === 'error' && end.error.kind === 'cancelled');
    assert.ok(await until(() => server.chatRequests[0]?.clientClosedAt), 'the client closed the stalled connection');
    assert.equal(server.chatRequests.length, 1, 'a cancel is not retried');
  });

  it('times out an endpoint that sends no first token, drops that connection, and retries', async () => {
    server.enqueue({ stallBeforeFirstMs: Infinity }, { tokens: ['late'] });
    const events = await answerPastLimit(server, () => server.chatRequests[0]?.startedAt, silenceLimits);
    assert.deepEqual(tokens(events), ['late']);
    assert.ok(server.chatRequests[0]?.clientClosedAt, 'the stalled connection was closed');
    assert.ok(
      steps(events).some(s => /timed out; retrying/.test(s)),
      steps(events).join(' | '),
    );
  });

  it('gives up on a grader that never replies, closing its connections, and answers from the top passages', async () => {
    server.setPicker(request =>
      isGradeRequest(request) ? { stallBeforeFirstMs: Infinity } : { tokens: ['Set it to 88 [1].'] },
    );
    const events = await answerPastLimit(server, () => server.chatRequests.some(isGradeRequest), {
      grading: true,
      ...silenceLimits,
    });
    assert.deepEqual(tokens(events), ['Set it to 88 [1].']);
    assert.equal(last(events)?.type, 'done');
    assert.ok(
      steps(events).some(s => /^Grading failed .*top passages/.test(s)),
      steps(events).join(' | '),
    );
    const graderCalls = server.chatRequests.filter(isGradeRequest);
    assert.equal(graderCalls.length, 1, 'one call: a helper call is not retried after its reply limit');
    assert.ok(await until(() => graderCalls[0]?.clientClosedAt), 'the stalled connection was closed');
  });

  it('says a helper declined, quoting it, when its reply is a refusal, and answers without its work', async () => {
    const system = (r: Parameters<typeof isGradeRequest>[0]) => {
      const content = r.body?.messages?.find(m => m.role === 'system')?.content;
      return typeof content === 'string' ? content : '';
    };
    const declined = { tokens: [], refusal: ["I can't help with that."] };
    for (const [helper, step] of [
      ['You grade', /^Grading failed \(The model declined: “I can't help with that\.”\); using the top passages/],
      ['You rewrite', /^Rewriting failed \(The model declined: “I can't help with that\.”\); searching no further$/],
      [
        'You check',
        /^The citation check failed \(The model declined: “I can't help with that\.”\); keeping the lexical/,
      ],
    ] as const) {
      // the grade keeps no passage only when the rewrite is the helper under test, so that a rewrite is asked for
      server.setPicker(request =>
        system(request).startsWith(helper)
          ? declined
          : isGradeRequest(request)
            ? { tokens: [helper === 'You rewrite' ? '{"relevant":[]}' : '{"relevant":[1]}'] }
            : { tokens: ['Set it to 88 [1].'] },
      );
      server.requests.length = 0;
      const citationCheck = helper === 'You check' ? 'model' : 'lexical';
      const events = await answer(server, {}, { options: { grading: true, citationCheck } });
      assert.deepEqual(tokens(events), ['Set it to 88 [1].'], helper);
      assert.equal(last(events)?.type, 'done');
      assert.ok(
        steps(events).some(s => step.test(s)),
        steps(events).join(' | '),
      );
      assert.ok(!steps(events).some(s => /unreadable|empty/.test(s)), steps(events).join(' | '));
      assert.equal(server.chatRequests.filter(r => system(r).startsWith(helper)).length, 1, 'asked once');
    }
  });

  it('breaks a stream that goes silent mid-answer (idle timeout), keeping the partial and closing the connection', async () => {
    server.enqueue({ tokens: TOKENS, stallMidStream: { tokens: 2, ms: Infinity } });
    const events = await answerPastLimit(server, seen => tokens(seen).length === 2, silenceLimits);
    const end = last(events);
    assert.ok(end?.type === 'error' && end.error.kind === 'stream-broken', JSON.stringify(end));
    assert.match(end.error.message, /went silent/);
    assert.equal(end.partial, 't0 t1 ');
    assert.ok(await until(() => server.chatRequests[0]?.clientClosedAt));
    assert.equal(server.chatRequests.length, 1);
  });

  it('skips chunks with empty choices (Azure’s content-filter preamble) without losing text', async () => {
    server.enqueue({ tokens: ['a', 'b'], emptyChoicesFirst: 2 });
    const events = await answer(server);
    assert.deepEqual(tokens(events), ['a', 'b']);
    assert.equal(last(events)?.type, 'done');
  });

  it('waits out a model that reasons (reasoning_content) for longer than the first-token limit, and says it is reasoning', async () => {
    // 40 pieces of reasoning 50 ms apart: twice the limit in all, never silent for anything near it
    const clock = new VirtualClock();
    const reasoning = Array.from({ length: 40 }, (_, i) => `step ${i} `);
    server.enqueue({ reasoning, tokens: ['Set it', ' to 88 [1].'], pace: () => apart(clock, 50) });
    const events = await answer(server, {}, { clock, options: silenceLimits });
    assert.deepEqual(tokens(events), ['Set it', ' to 88 [1].']);
    assert.equal(last(events)?.type, 'done');
    assert.equal(server.chatRequests.length, 1, 'no timeout, no retry');
    assert.ok(steps(events).includes('The model is reasoning before it answers'), steps(events).join(' | '));
  });

  it('says the model is reasoning when it streams its reasoning in `reasoning` (Ollama, vLLM), showing none of it', async () => {
    server.enqueue({ reasoning: ['The passage ', 'says 88.'], reasoningField: 'reasoning', tokens: ['It is 88 [1].'] });
    const events = await answer(server);
    assert.deepEqual(tokens(events), ['It is 88 [1].']);
    assert.equal(last(events)?.type, 'done');
    assert.ok(steps(events).includes('The model is reasoning before it answers'), steps(events).join(' | '));
  });

  it('keeps a reasoning model’s <think> block out of the answer and its citations, however the stream splits it', async () => {
    server.enqueue({
      tokens: ['\n<thi', 'nk>The user asks about [2] and', ' [3].</th', 'ink>', '\n\n', 'Set it', ' to 88 [1].'],
    });
    const events = await answer(server);
    assert.equal(tokens(events).join(''), 'Set it to 88 [1].');
    const done = last(events);
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.equal(done.answer, 'Set it to 88 [1].');
    assert.deepEqual(
      done.citations.map(c => c.n),
      [1],
    );
    assert.ok(steps(events).includes('The model is reasoning before it answers'), steps(events).join(' | '));
  });

  it('reports a reply that is only reasoning as an empty answer, showing none of it', async () => {
    server.setPicker(() => ({ tokens: ['<think>', 'Hmm, the passages say [1]…', '</think>', '\n'] }));
    const events = await answer(server);
    assert.deepEqual(tokens(events), []);
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /empty answer/);
  });

  it('says the model spent its output limit on reasoning when the limit stops it inside its <think> block', async () => {
    server.enqueue({ tokens: ['<think>', 'The passages say [1]', ', and then'], finishReason: 'length' });
    const events = await answer(server);
    assert.deepEqual(tokens(events), [], 'reasoning is not the answer');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /spent its output limit .* on reasoning/);
    assert.equal(end.partial, '');
  });

  it('says the model spent its output limit on reasoning when the limit stops it in its reasoning field', async () => {
    server.enqueue({ reasoning: ['The passage ', 'says'], tokens: [], finishReason: 'length' });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, /spent its output limit .* on reasoning/);
  });

  it('keeps the answer written after the <think> block as cut off when the limit stops it there', async () => {
    server.enqueue({ tokens: ['<think>', 'Hmm.', '</think>', 'Set it', ' to 88 [1] and'], finishReason: 'length' });
    const end = last(await answer(server));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'stream-broken');
    assert.match(end.error.message, /cut off: the answer reached the model's output limit/);
    assert.equal(end.partial, 'Set it to 88 [1] and');
  });

  it('keeps a <think> that does not open the reply as answer text', async () => {
    server.enqueue({ tokens: ['<', 'b>Wrap it in <think> tags [1].'] });
    const events = await answer(server);
    assert.equal(tokens(events).join(''), '<b>Wrap it in <think> tags [1].');
  });

  it('keeps slow tokens intact under the idle timeout, each within the limit of the last, all together beyond it', async () => {
    const clock = new VirtualClock();
    server.enqueue({ tokens: ['s0 ', 's1 ', 's2 ', 's3 '], pace: () => apart(clock, 0.6 * SILENCE_LIMIT_MS) });
    const events = await answer(server, {}, { clock, options: silenceLimits });
    assert.deepEqual(tokens(events), ['s0 ', 's1 ', 's2 ', 's3 ']);
  });

  it('streams 4 questions at once without mixing their tokens', async () => {
    server.setPicker(request => {
      const tag = /question (\w)/.exec(lastUserText(request))?.[1] ?? '?';
      return { tokens: Array.from({ length: 12 }, (_, i) => `${tag}${i} `), tokenDelayMs: 3 };
    });
    const answers = await Promise.all(
      ['A', 'B', 'C', 'D'].map(async tag => tokens(await answer(server, { question: `question ${tag}` })).join('')),
    );
    assert.deepEqual(
      answers,
      ['A', 'B', 'C', 'D'].map(tag => Array.from({ length: 12 }, (_, i) => `${tag}${i} `).join('')),
    );
    assert.equal(server.chatRequests.length, 4);
  });

  it('with grading on, makes exactly one extra (non-streaming) round trip before the stream', async () => {
    server.setPicker(request => (isGradeRequest(request) ? { tokens: ['{"relevant":[1]}'] } : { tokens: ['x [1]'] }));
    const events = await answer(server, {}, { options: { grading: true } });
    assert.deepEqual(
      server.chatRequests.map(r => [isGradeRequest(r), r.stream]),
      [
        [true, false],
        [false, true],
      ],
    );
    const done = last(events);
    assert.ok(done?.type === 'done' && done.usage.modelCalls === 2);
    assert.deepEqual(tokens(events), ['x [1]'], 'the grader’s reply never reaches the answer');
  });
});
