import assert from 'node:assert/strict';
import { ask, type AskDeps } from '../../../src/core/ask';
import type { AnswerEvent, AskRequest } from '../../../src/core/events';
import { finishFailure } from '../../../src/core/errors';
import type { Retriever } from '../../../src/core/ports';
import { NOTHING_FOUND } from '../../../src/core/rag/nodes/generate';
import { FakeClock, VirtualClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { httpError, ScriptedChatModel, type RecordedCall, type Script } from '../../fakes/scriptedChatModel';
import { collect } from '../../support/collect';
import { until } from '../../support/until';

const isGrade = (c: RecordedCall) => c.system.startsWith('You grade');
const isRewrite = (c: RecordedCall) => c.system.startsWith('You rewrite');

/** Grades with `grade`, rewrites with `rewrite`, and generates with the scripts in `generate`, in order. */
function model(opts: { grade?: Script; rewrite?: Script; generate: Script[] }) {
  let gen = 0;
  return new ScriptedChatModel(call => {
    if (isGrade(call)) return opts.grade ?? { reply: '{"relevant":[1,2]}' };
    if (isRewrite(call)) return opts.rewrite ?? { reply: 'better query' };
    const script = opts.generate[Math.min(gen++, opts.generate.length - 1)];
    assert.ok(script, 'a generation script');
    return script;
  });
}

/** Every event of the answer to `request`, on a fake clock. */
const answer = (request: AskRequest, deps: AskDeps): Promise<AnswerEvent[]> =>
  collect(ask(request, { clock: new FakeClock(), ...deps }));

/**
 * Every event of the answer to `request` on a virtual clock whose time passes only once `sent()` holds (the call that
 * never answers was made): the limit then runs out for that call alone, however slow the machine is.
 */
async function answerPastLimit(request: AskRequest, deps: AskDeps, sent: () => boolean): Promise<AnswerEvent[]> {
  const clock = new VirtualClock();
  const pending = collect(ask(request, { ...deps, clock }));
  assert.ok(await until(() => sent() && clock.nextDueIn !== undefined), 'the call that never answers was made');
  clock.advance(LIMIT_MS);
  return pending;
}
const LIMIT_MS = 30;

const shape = (events: AnswerEvent[]) =>
  events.map(e => (e.type === 'step' ? `step:${e.name}` : e.type === 'token' ? `token:${e.text}` : e.type));
const tokens = (events: AnswerEvent[]) => events.flatMap(e => (e.type === 'token' ? [e.text] : [])).join('');
const last = (events: AnswerEvent[]) => events[events.length - 1];
const three = new FakeRetriever(() => [passage(1, 'flux level is 88'), passage(2), passage(3)]);

describe('ask()', () => {
  it('shows what the retriever says about its results as a retrieve step (a hybrid answering by keywords only)', async () => {
    const noticing: Retriever = {
      search: async (_query, options) => {
        options.onNotice?.('Searching by keywords only, as the embeddings failed.');
        return [passage(1, 'flux level is 88')].slice(0, options.k);
      },
    };
    const events = await answer({ question: 'flux level?' }, { retriever: noticing });
    const steps = events.flatMap(e => (e.type === 'step' && e.name === 'retrieve' ? [e.detail] : []));
    assert.deepEqual(steps.slice(1), ['Searching by keywords only, as the embeddings failed.']);
    assert.equal(last(events)?.type, 'done');
  });

  it('emits retrieve, grade, sources, generate, tokens and done in that order', async () => {
    const m = model({ generate: [{ tokens: ['Set it', ' to 88', ' [1].'] }] });
    const events = await answer({ question: 'flux level?' }, { retriever: three, model: m });
    assert.deepEqual(shape(events), [
      'step:retrieve',
      'step:grade',
      'step:grade',
      'sources',
      'step:generate',
      'token:Set it',
      'token: to 88',
      'citation',
      'token: [1].',
      'done',
    ]);
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.equal(done.answer, 'Set it to 88 [1].');
    assert.deepEqual(
      done.citations.map(c => [c.n, c.passage.text, c.claim, c.startLine, c.endLine, c.support]),
      [[1, 'flux level is 88', 'Set it to 88', 1, 1, 'supported']],
    );
    assert.equal(done.usage.modelCalls, 2);
  });

  it('never lets grader or rewriter text into the answer', async () => {
    const m = model({
      grade: { reply: 'GRADER-SAYS {"relevant":[]}' },
      rewrite: { reply: 'REWRITER-SAYS flux' },
      generate: [{ tokens: ['ok'] }],
    });
    const events = await answer({ question: 'flux?' }, { retriever: three, model: m });
    const text = JSON.stringify(events.filter(e => e.type === 'token' || e.type === 'done'));
    assert.ok(!text.includes('GRADER-SAYS') && !text.includes('REWRITER-SAYS'), text);
  });

  it('grades all passages in one model call whatever k is', async () => {
    const many = new FakeRetriever(() => Array.from({ length: 20 }, (_, i) => passage(i + 1)));
    const m = model({ generate: [{ tokens: ['a'] }] });
    await answer({ question: 'q' }, { retriever: many, model: m, options: { k: 20 } });
    const grades = m.calls.filter(isGrade);
    assert.equal(grades.length, 1);
    for (let n = 1; n <= 20; n++)
      assert.ok(grades[0]?.prompt.includes(`[${n}] docs/file${n}.md`), `passage ${n} in the grading prompt`);
  });

  it('stops the rewrite loop at its bound, then answers from the top results', async () => {
    const r = new FakeRetriever(() => [passage(1)]);
    let rewrites = 0;
    const m = new ScriptedChatModel(call =>
      isGrade(call)
        ? { reply: '{"relevant": []}' }
        : isRewrite(call)
          ? { reply: `another query ${++rewrites}` }
          : { tokens: ['not in the passages'] },
    );
    const events = await answer({ question: 'q' }, { retriever: r, model: m, options: { maxRewrites: 2 } });
    assert.equal(m.calls.filter(isRewrite).length, 2);
    assert.equal(m.calls.filter(isGrade).length, 3);
    assert.deepEqual(r.queries, ['q', 'another query 1', 'another query 2']);
    assert.ok(events.some(e => e.type === 'step' && /No passage was graded relevant/.test(e.detail)));
    assert.equal(tokens(events), 'not in the passages');
  });

  it('answers without searching and grading the same again when the rewrite brings no new query', async () => {
    for (const rewrite of [{ reply: 'q' }, { failBefore: httpError(400) }] as Script[]) {
      const r = new FakeRetriever(() => [passage(1)]);
      const m = model({
        grade: { reply: '{"relevant": []}' },
        rewrite,
        generate: [{ tokens: ['not in the passages'] }],
      });
      const events = await answer({ question: 'q' }, { retriever: r, model: m, options: { maxRewrites: 1 } });
      assert.deepEqual(r.queries, ['q']);
      assert.equal(m.calls.filter(isGrade).length, 1);
      assert.equal(tokens(events), 'not in the passages');
    }
  });

  it('says plainly that nothing was found, without a model call, when the search finds nothing', async () => {
    const m = model({ generate: [{ tokens: ['invented'] }] });
    const events = await answer(
      { question: 'q' },
      { retriever: new FakeRetriever(() => []), model: m, options: { maxRewrites: 1 } },
    );
    assert.equal(tokens(events), NOTHING_FOUND);
    assert.equal(m.calls.filter(c => !isGrade(c) && !isRewrite(c)).length, 0);
  });

  it('keeps the top passages when the grader fails, and says so', async () => {
    const m = model({ grade: { failBefore: new Error('boom') }, generate: [{ tokens: ['fine [2]'] }] });
    const events = await answer({ question: 'q' }, { retriever: three, model: m, options: { maxContext: 2 } });
    assert.ok(events.some(e => e.type === 'step' && e.name === 'grade' && e.detail.includes('using the top passages')));
    const sources = events.find(e => e.type === 'sources');
    assert.deepEqual(sources?.type === 'sources' && sources.sources.map(p => p.path), [
      'docs/file1.md',
      'docs/file2.md',
    ]);
    assert.equal(last(events)?.type, 'done');
  });

  it('ends the answer with a grade’s or rewrite’s failure that the answer’s own request would meet: one error, no answer request', async () => {
    // the resolver's answer for a mistyped host, as fetch throws it: final, and the same for every request
    const missingHost = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND llm.exmaple.com'), { code: 'ENOTFOUND' }),
    });
    const cases: [string, { grade: Script; rewrite?: Script }][] = [
      ['network', { grade: { failBefore: missingHost } }],
      ['auth', { grade: { failBefore: httpError(403) } }],
      ['network', { grade: { reply: '{"relevant": []}' }, rewrite: { failBefore: missingHost } }],
    ];
    for (const [kind, helper] of cases) {
      const m = model({ ...helper, generate: [{ tokens: ['never'] }] });
      const events = await answer({ question: 'q' }, { retriever: three, model: m });
      const end = last(events);
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, kind);
      assert.equal(m.calls.filter(c => !isGrade(c) && !isRewrite(c)).length, 0, 'no answer request');
      assert.ok(!events.some(e => e.type === 'step' && /failed/.test(e.detail)), 'the failure is said once');
      assert.ok(!events.some(e => e.type === 'token'));
    }
  });

  it('answers from the top passages when a separate helper model is missing (404): the answering model is not', async () => {
    const helper = model({ grade: { failBefore: httpError(404) }, generate: [{ tokens: ['unused'] }] });
    const m = model({ generate: [{ tokens: ['fine [1]'] }] });
    const events = await answer({ question: 'q' }, { retriever: three, model: m, helperModel: helper });
    assert.ok(events.some(e => e.type === 'step' && /Grading failed.*top passages/.test(e.detail)));
    assert.equal(tokens(events), 'fine [1]');
    assert.equal(last(events)?.type, 'done');
    // the same 404 from the model that answers would be met by the answer too: it ends the answer at once
    const alone = model({ grade: { failBefore: httpError(404) }, generate: [{ tokens: ['never'] }] });
    const end = last(await answer({ question: 'q' }, { retriever: three, model: alone }));
    assert.ok(end?.type === 'error' && end.error.kind === 'no-model', JSON.stringify(end));
    assert.equal(alone.calls.filter(c => !isGrade(c)).length, 0);
  });

  it('falls back to one non-streaming call when streaming fails before the first token', async () => {
    const m = model({ generate: [{ failBefore: new Error('bad SSE chunk') }, { reply: 'whole answer [1]' }] });
    const events = await answer({ question: 'q' }, { retriever: three, model: m });
    assert.deepEqual(
      m.calls.filter(c => !isGrade(c)).map(c => c.kind),
      ['stream', 'invoke'],
    );
    assert.equal(tokens(events), 'whole answer [1]');
    const done = last(events);
    assert.ok(done?.type === 'done' && done.usage.fallback);
  });

  it('reports a reply of only whitespace as an empty answer, showing none of it', async () => {
    const m = model({ generate: [{ tokens: ['  ', '\n\n', ' '] }, { reply: ' \n' }] });
    const events = await answer({ question: 'q' }, { retriever: three, model: m });
    assert.equal(tokens(events), '');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /empty answer/);
  });

  it('starts the answer at its first visible text, whether streamed or in the fallback reply', async () => {
    const streamed = await answer(
      { question: 'q' },
      { retriever: three, model: model({ generate: [{ tokens: ['\n\n', '  It is', ' 88 [1].'] }] }) },
    );
    assert.equal(tokens(streamed), 'It is 88 [1].');
    const whole = await answer(
      { question: 'q' },
      {
        retriever: three,
        model: model({ generate: [{ failBefore: new Error('bad SSE chunk') }, { reply: '\n It is 88 [1].' }] }),
      },
    );
    assert.equal(tokens(whole), 'It is 88 [1].');
    const done = last(whole);
    assert.ok(done?.type === 'done' && done.answer === 'It is 88 [1].');
  });

  for (const n of [1, 3, 7]) {
    it(`keeps the partial answer when the stream drops at token ${n}`, async () => {
      const all = ['t0 ', 't1 ', 't2 ', 't3 ', 't4 ', 't5 ', 't6 ', 't7 ', 't8 '];
      const m = model({
        generate: [
          {
            tokens: all,
            failAfter: { tokens: n, error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) },
          },
        ],
      });
      const events = await answer({ question: 'q' }, { retriever: three, model: m });
      const end = last(events);
      assert.ok(end?.type === 'error');
      assert.equal(end.error.kind, 'stream-broken');
      assert.equal(end.partial, all.slice(0, n).join(''));
      assert.equal(tokens(events), end.partial);
      assert.equal(m.calls.filter(c => !isGrade(c)).length, 1, 'no retry after the first token');
    });
  }

  it('cites a marker written before its claim when the stream breaks before the claim’s sentence ends', async () => {
    const broken = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const m = model({
      generate: [
        { tokens: ['According to [1], the flux', ' level is 88', ' and'], failAfter: { tokens: 2, error: broken } },
      ],
    });
    const events = await answer({ question: 'flux level?' }, { retriever: three, model: m });
    const end = last(events);
    assert.ok(end?.type === 'error' && end.error.kind === 'stream-broken');
    assert.equal(end.partial, 'According to [1], the flux level is 88');
    const cited = events.flatMap(e => (e.type === 'citation' ? [e.citation] : []));
    assert.deepEqual(
      cited.map(c => [c.n, c.ordinal, c.claim]),
      [[1, 0, 'the flux level is 88']],
      'the partial answer’s [1] has its citation, with the claim as far as it came',
    );
    assert.deepEqual(shape(events).slice(-2), ['citation', 'error'], 'sent before the error');
  });

  it('retries a 429 before the first token, honouring Retry-After, and never repeats a token', async () => {
    const clock = new FakeClock();
    const m = model({
      generate: [
        { failBefore: httpError(429, { 'retry-after': '2' }) },
        { failBefore: httpError(503) },
        { tokens: ['a', 'b'] },
      ],
    });
    const events: AnswerEvent[] = [];
    for await (const e of ask({ question: 'q' }, { retriever: three, model: m, clock })) events.push(e);
    assert.equal(tokens(events), 'ab');
    assert.deepEqual(clock.sleeps, [2000, 750], 'Retry-After first, then 500 ms × 2^1 with equal jitter (random 0.5)');
    assert.equal(events.filter(e => e.type === 'step' && /retrying in/.test(e.detail)).length, 2);
    const done = last(events);
    assert.ok(done?.type === 'done' && done.usage.retries === 2);
  });

  it('stops retrying after the policy and reports the rate limit, without a non-streaming request', async () => {
    const m = model({ generate: [{ failBefore: httpError(429) }] });
    const events = await answer(
      { question: 'q' },
      { retriever: three, model: m, options: { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } } },
    );
    const end = last(events);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'rate-limit');
    // 3 streaming attempts; a non-streaming request would meet the same limit
    assert.deepEqual(
      m.calls.filter(c => !isGrade(c)).map(c => c.kind),
      ['stream', 'stream', 'stream'],
    );
    assert.ok(!events.some(e => e.type === 'step' && /Streaming failed/.test(e.detail)), 'no fallback is announced');
  });

  it('reports a 401 as an auth error naming the fix, without a fallback call', async () => {
    const m = model({ generate: [{ failBefore: httpError(401) }] });
    const events = await answer({ question: 'q' }, { retriever: three, model: m });
    const end = last(events);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'auth');
    assert.match(end.error.message, /Set API Key/);
    assert.equal(m.calls.filter(c => !isGrade(c)).length, 1);
  });

  it('aborts the model call when the request is cancelled mid-stream', async () => {
    const controller = new AbortController();
    const m = model({ generate: [{ tokens: ['a', 'b', 'c', 'd'], delayMs: 20 }] });
    const events: AnswerEvent[] = [];
    for await (const e of ask(
      { question: 'q', signal: controller.signal },
      { retriever: three, model: m, clock: new FakeClock() },
    )) {
      events.push(e);
      if (e.type === 'token') controller.abort();
    }
    const gen = m.calls.find(c => !isGrade(c));
    assert.equal(gen?.aborted, true, 'the model saw the abort');
    const end = last(events);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'cancelled');
    assert.equal(end.partial, 'a');
  });

  it('asks the model nothing once the request is cancelled before generation', async () => {
    const controller = new AbortController();
    const m = model({ generate: [{ tokens: ['a [1]'] }] });
    // cancelled while the index looks up term weights, the last wait before the generator is asked
    const retriever = Object.assign(new FakeRetriever(() => [passage(1)]), {
      termWeights: async () => {
        controller.abort();
        return undefined;
      },
    });
    const events = await answer({ question: 'q', signal: controller.signal }, { retriever, model: m });
    assert.deepEqual(
      m.calls.map(c => c.kind),
      ['invoke'],
      'the grading call only',
    );
    const end = last(events);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'cancelled');
  });

  it('asks a grader that never answers once, then answers from the top passages without asking it again', async () => {
    const r = new FakeRetriever(() => [passage(1, 'flux level is 88')]);
    const m = model({ grade: { stall: true }, generate: [{ tokens: ['fine [1]'] }] });
    const events = await answerPastLimit(
      { question: 'q' },
      // a grade that keeps no passage would otherwise rewrite the query: the stalled helper is not asked to
      { retriever: r, model: m, options: { firstTokenTimeoutMs: LIMIT_MS, minRelevant: 2 } },
      () => m.calls.some(isGrade),
    );
    assert.equal(m.calls.filter(isGrade).length, 1, 'one grading request, not retried after its timeout');
    assert.equal(m.calls.filter(isRewrite).length, 0, 'no rewrite asked of the model that did not answer');
    assert.ok(
      events.some(e => e.type === 'step' && e.name === 'grade' && /Grading failed.*top passages/.test(e.detail)),
    );
    assert.equal(tokens(events), 'fine [1]');
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.equal(done.usage.retries, 0);
  });

  it('gives up a grade whose model ignores the abort at the reply limit, and ends it at once when cancelled', async () => {
    const m = model({ grade: { deaf: true }, generate: [{ tokens: ['fine [1]'] }] });
    const events = await answerPastLimit(
      { question: 'q' },
      { retriever: three, model: m, options: { firstTokenTimeoutMs: LIMIT_MS } },
      () => m.calls.some(isGrade),
    );
    assert.ok(
      events.some(e => e.type === 'step' && e.name === 'grade' && /Grading failed.*top passages/.test(e.detail)),
    );
    assert.equal(tokens(events), 'fine [1]');

    const controller = new AbortController();
    const cancelling = model({ grade: { deaf: true }, generate: [{ tokens: ['never'] }] });
    const pending = answer({ question: 'q', signal: controller.signal }, { retriever: three, model: cancelling });
    await until(() => cancelling.calls.length > 0);
    controller.abort();
    const end = last(await pending);
    assert.ok(end?.type === 'error');
    assert.equal(end.error.kind, 'cancelled');
    assert.equal(cancelling.calls.filter(c => !isGrade(c)).length, 0);
  });

  it('still retries a grade that fails fast with a transient error', async () => {
    let grades = 0;
    const m = new ScriptedChatModel(call =>
      isGrade(call)
        ? ++grades === 1
          ? { failBefore: httpError(503) }
          : { reply: '{"relevant":[2]}' }
        : { tokens: ['ok [1]'] },
    );
    const events = await answer({ question: 'q' }, { retriever: three, model: m });
    assert.equal(grades, 2);
    const sources = events.find(e => e.type === 'sources');
    assert.deepEqual(sources?.type === 'sources' && sources.sources.map(p => p.path), ['docs/file2.md']);
  });

  it('times out a model that sends nothing, then retries', async () => {
    const m = model({ generate: [{ stall: true }, { tokens: ['late'] }] });
    const events = await answerPastLimit(
      { question: 'q' },
      { retriever: three, model: m, options: { firstTokenTimeoutMs: LIMIT_MS } },
      () => m.calls.some(c => !isGrade(c)),
    );
    assert.equal(m.calls.filter(c => !isGrade(c))[0]?.aborted, true);
    assert.equal(tokens(events), 'late');
  });

  it("weighs a claim's terms with the retriever's term weights, asked for the question and passages before the model", async () => {
    const m = model({ generate: [{ tokens: ['Set it', ' to 88', ' [1].'] }] });
    const asked: { texts: readonly string[]; modelCalls: number }[] = [];
    const retriever = Object.assign(new FakeRetriever(() => [passage(1, 'flux level is 88')]), {
      termWeights: async (texts: readonly string[]) => {
        asked.push({ texts, modelCalls: m.calls.filter(c => !isGrade(c)).length });
        // `set`, which the passage lacks, outweighs `88` a hundredfold: the claim is barely covered
        return (term: string) => (term === 'set' ? 10 : 0.1);
      },
    });
    const events = await answer({ question: 'flux level?' }, { retriever, model: m });
    assert.deepEqual(asked, [{ texts: ['flux level?', 'flux level is 88'], modelCalls: 0 }]);
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.deepEqual(
      done.citations.map(c => c.support),
      ['unsupported'],
    );
  });

  it('answers with labelled search results when there is no model', async () => {
    const events = await answer({ question: 'flux' }, { retriever: three });
    assert.deepEqual(shape(events).slice(0, 2), ['step:retrieve', 'sources']);
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.equal(done.mode, 'search');
    assert.match(done.answer, /search results, not an answer/);
    assert.deepEqual(
      done.citations.map(c => c.n),
      [1, 2, 3],
    );
  });

  it('answers /search without calling the model', async () => {
    const m = model({ generate: [{ tokens: ['x'] }] });
    const events = await answer({ question: 'flux', mode: 'search' }, { retriever: three, model: m });
    assert.equal(m.calls.length, 0);
    assert.match(tokens(events), /^\*\*Search results for “flux”/);
  });

  it('rejects an empty question and a 100k-character question with clear messages', async () => {
    const m = model({ generate: [{ tokens: ['x'] }] });
    for (const question of ['   ', 'x'.repeat(100_000)]) {
      const events = await answer({ question }, { retriever: three, model: m });
      assert.equal(events.length, 1);
      const e = events[0];
      assert.ok(e?.type === 'error' && e.error.kind === 'bad-input');
    }
    assert.equal(m.calls.length, 0);
    assert.deepEqual(
      three.queries.filter(q => q.length > 1000),
      [],
    );
  });

  it('turns a retriever failure into an error event', async () => {
    const broken = {
      search: async () => {
        throw new Error('disk on fire');
      },
    };
    const events = await answer(
      { question: 'q' },
      { retriever: broken, model: model({ generate: [{ tokens: ['x'] }] }) },
    );
    assert.equal(last(events)?.type, 'error');
  });

  it('searches exactly what /search was given, without the question before it', async () => {
    const r = new FakeRetriever(() => [passage(1)]);
    const history = [
      { role: 'user' as const, text: 'how is the flux capacitor configured?' },
      { role: 'assistant' as const, text: 'Set flux.level [1].' },
    ];
    await answer({ question: 'flux', history, mode: 'search' }, { retriever: r });
    assert.deepEqual(r.queries, ['flux']);
  });

  it('passes history to the generator and searches a short follow-up with the question before it', async () => {
    const r = new FakeRetriever(() => [passage(1)]);
    const m = model({ generate: [{ tokens: ['x'] }] });
    await answer(
      {
        question: 'and on Windows?',
        history: [
          { role: 'user', text: 'how to install' },
          { role: 'assistant', text: 'run npm ci' },
        ],
      },
      { retriever: r, model: m },
    );
    assert.deepEqual(r.queries, ['how to install and on Windows?']);
    const gen = m.calls.find(c => !isGrade(c));
    assert.deepEqual(
      gen?.messages.slice(1, 3).map(msg => msg.content),
      ['how to install', 'run npm ci'],
    );
  });

  it('cuts a long selection at a whole character, never searching or sending half an emoji', async () => {
    const r = new FakeRetriever(() => [passage(1)]);
    const m = model({ generate: [{ tokens: ['x'] }] });
    // the cuts at 6,000 characters (what the model is shown) and 300 (what is searched) fall inside an emoji
    const text = `a${'😀'.repeat(3500)}`;
    const context = { path: 'notes.md', startLine: 1, endLine: 1, text };
    await answer({ question: 'why?', context }, { retriever: r, model: m, options: { grading: false } });
    const halfCharacter = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    const prompt = String(m.calls.find(c => !isGrade(c))?.prompt);
    assert.ok(prompt.includes(text.slice(0, 5999)) && !halfCharacter.test(prompt), 'the selection as far as it fits');
    assert.ok(!halfCharacter.test(r.queries.join('\n')), JSON.stringify(r.queries));
  });

  it('cuts a long earlier answer for the generator at a whole character, never sending half an emoji', async () => {
    const m = model({ generate: [{ tokens: ['x'] }] });
    // the cut at 2,000 characters falls between the two halves of the emoji
    const long = `${'a'.repeat(1999)}😀 and more`;
    await answer(
      {
        question: 'and on Windows?',
        history: [
          { role: 'user', text: 'how to install' },
          { role: 'assistant', text: long },
        ],
      },
      { retriever: new FakeRetriever(() => [passage(1)]), model: m, options: { grading: false } },
    );
    const sent = m.calls.find(c => !isGrade(c))?.messages[2]?.content;
    assert.equal(sent, `${'a'.repeat(1999)}…`);
  });

  it('counts the words of a question written without spaces (Japanese, Chinese) to tell a follow-up from a new question', async () => {
    const history = [
      { role: 'user' as const, text: 'ログの設定はどこですか' },
      { role: 'assistant' as const, text: 'logging.json です [1]' },
    ];
    const queries = async (question: string) => {
      const r = new FakeRetriever(() => [passage(1)]);
      await answer({ question, history }, { retriever: r, model: model({ generate: [{ tokens: ['x'] }] }) });
      return r.queries;
    };
    // a new question of its own is searched alone
    assert.deepEqual(await queries('データベースの接続文字列はどのファイルで変更できますか'), [
      'データベースの接続文字列はどのファイルで変更できますか',
    ]);
    assert.deepEqual(await queries('配置文件在哪里，怎么修改数据库的连接字符串'), [
      '配置文件在哪里，怎么修改数据库的连接字符串',
    ]);
    // a short follow-up still goes with the question before it
    assert.deepEqual(await queries('テストは？'), ['ログの設定はどこですか テストは？']);
  });

  it('shows the generator its earlier answers without their [n], which numbered other passages', async () => {
    const r = new FakeRetriever(() => [passage(1), passage(2)]);
    const m = model({ generate: [{ tokens: ['x'] }] });
    await answer(
      {
        question: 'and how often are they rotated?',
        history: [
          { role: 'user', text: 'where do logs go?' },
          { role: 'assistant', text: 'Logs go to `/var/log` [1]. They are kept [2, 3] for a week, see `files[1]`.' },
        ],
      },
      { retriever: r, model: m },
    );
    const gen = m.calls.find(c => !isGrade(c));
    assert.equal(gen?.messages[2]?.content, 'Logs go to `/var/log`. They are kept for a week, see `files[1]`.');
  });
});

describe('ask() with a reasoning model as grader and rewriter (its replies read once, as invokeWithRetry reads them)', () => {
  const sourcePaths = (events: AnswerEvent[]) =>
    events.flatMap(e => (e.type === 'sources' ? e.sources.map(p => p.path) : []));
  const gradeSteps = (events: AnswerEvent[]) =>
    events.flatMap(e => (e.type === 'step' && e.name === 'grade' ? [e.detail] : []));

  it('reads a grade past the <think> block that opens it, never the drafts and numbers in it', async () => {
    const reasoning = '<think>Passage 2 is close; passage 3 mentions {config}. So {"relevant": [3]}?</think>\n';
    const relevant = model({ grade: { reply: `${reasoning}{"relevant": [1]}` }, generate: [{ tokens: ['88 [1].'] }] });
    const graded = await answer({ question: 'flux level?' }, { retriever: three, model: relevant });
    assert.deepEqual(sourcePaths(graded), ['docs/file1.md']);
    const none = model({ grade: { reply: `${reasoning}None of them.` }, generate: [{ tokens: ['not there'] }] });
    const ungraded = await answer(
      { question: 'flux level?' },
      { retriever: three, model: none, options: { maxRewrites: 0 } },
    );
    assert.ok(gradeSteps(ungraded).includes('0 of 3 passages are relevant'), JSON.stringify(gradeSteps(ungraded)));
  });

  it('searches again for the query after the rewriter’s <think> block', async () => {
    const r = new FakeRetriever(() => [passage(1)]);
    const m = model({
      grade: { reply: '{"relevant": []}' },
      rewrite: { reply: '<think>\nThe user asks about logs.\n</think>\n\nlogging config winston' },
      generate: [{ tokens: ['not in the passages'] }],
    });
    await answer({ question: 'q' }, { retriever: r, model: m, options: { maxRewrites: 1 } });
    assert.deepEqual(r.queries, ['q', 'logging config winston']);
  });

  it('keeps what a reply says before a `</think>` in its prose, past the block it opened itself', async () => {
    const r = new FakeRetriever(() => [passage(1), passage(2), passage(3)]);
    const m = model({
      grade: { reply: '<think>Passage 2 only quotes the tag.</think>\n{"relevant": []}\nPassage 2 quotes </think>.' },
      rewrite: { reply: '<think>The user asks how a block ends.</think>\nclosing </think> tag of reasoning models' },
      generate: [{ tokens: ['not in the passages'] }],
    });
    const events = await answer({ question: 'q' }, { retriever: r, model: m, options: { maxRewrites: 1 } });
    assert.deepEqual(r.queries, ['q', 'closing </think> tag of reasoning models']);
    assert.ok(gradeSteps(events).includes('0 of 3 passages are relevant'), JSON.stringify(gradeSteps(events)));
  });
});

describe('ask() with a model whose chat template opens its reasoning block', () => {
  // the server's template ends the prompt with `<think>`: replies carry the reasoning and a lone `</think>`
  const reasoning = 'The user asks about the flux level; passage [2] talks about logs, so not that.\n</think>\n\n';

  it('streams no reasoning once a grade showed the model reasons so, and cites only from the answer', async () => {
    const m = model({
      grade: { reply: `Passage 1 says 88.\n</think>\n\n{"relevant":[1]}` },
      generate: [{ tokens: [reasoning.slice(0, 20), reasoning.slice(20), 'Set it to 88 [1].'] }],
    });
    const events = await answer({ question: 'flux level?' }, { retriever: three, model: m });
    assert.equal(tokens(events), 'Set it to 88 [1].');
    const done = last(events);
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.deepEqual(
      done.citations.map(c => c.n),
      [1],
      'the [2] in the reasoning cites nothing',
    );
  });

  it('streams no reasoning in the next answer after one streamed answer showed it (no grade to tell)', async () => {
    const m = model({ generate: [{ tokens: [reasoning, 'Set it to 88 [1].'] }] });
    const deps = { retriever: three, model: m, options: { grading: false } };
    assert.equal(tokens(await answer({ question: 'flux level?' }, deps)), `${reasoning}Set it to 88 [1].`);
    assert.equal(tokens(await answer({ question: 'flux level?' }, deps)), 'Set it to 88 [1].');
  });

  it('shows none of the held reasoning when the output limit stops it before </think>, and says where the output went', async () => {
    const limit = finishFailure('length');
    assert.ok(limit);
    const m = model({
      grade: { reply: `Passage 1 says 88.\n</think>\n\n{"relevant":[1]}` },
      generate: [{ tokens: ['The user asks about ', 'the flux level [2]'], failAfter: { tokens: 2, error: limit } }],
    });
    const events = await answer({ question: 'flux level?' }, { retriever: three, model: m });
    assert.equal(tokens(events), '');
    const end = last(events);
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused');
    assert.match(end.error.message, /spent its output limit .* on reasoning/);
    assert.equal(end.partial, '');
  });

  it('streams as it comes again once a reply shows no such tag: one lone </think> in prose does not hold every answer', async () => {
    const streamed = (events: AnswerEvent[]) => events.filter(e => e.type === 'token').length;
    const m = model({
      generate: [
        { tokens: ['Close the block with ', '</think>', ' and go on [1].'] },
        { tokens: ['Set it ', 'to 88 ', '[1].'] },
        { tokens: ['Set it ', 'to 88 ', '[1].'] },
      ],
    });
    const deps = { retriever: three, model: m, options: { grading: false } };
    await answer({ question: 'think tags?' }, deps);
    const held = await answer({ question: 'flux level?' }, deps);
    assert.equal(tokens(held), 'Set it to 88 [1].', 'held, then given whole');
    assert.equal(streamed(held), 1);
    const again = await answer({ question: 'flux level?' }, deps);
    assert.equal(streamed(again), 3, 'token by token again');
  });
});

describe('ask() with the model check of citations', () => {
  const sources = new FakeRetriever(() => [
    passage(1, 'The flux level is 88.\nDoors open upwards.'),
    passage(2, 'Logs go to /var/log.'),
  ]);
  const checker = (check: Script) =>
    new ScriptedChatModel(call => {
      if (isGrade(call)) return { reply: '{"relevant":[1,2]}' };
      if (call.system.startsWith('You check citations')) return check;
      return { tokens: ['The flux level is 88 [1]. ', 'Logs go to /var/log [2].'] };
    });
  const run = (check: Script) =>
    answer(
      { question: 'flux and logs?' },
      { retriever: sources, model: checker(check), options: { citationCheck: 'model' } },
    );

  it('replaces the lexical verdicts with the model’s, sending a citation again only where one changed', async () => {
    const events = await run({ reply: '{"verdicts": ["supported", "unsupported"]}' });
    const citations = events.flatMap(e => (e.type === 'citation' ? [[e.citation.ordinal, e.citation.support]] : []));
    assert.deepEqual(citations, [
      [0, 'supported'],
      [1, 'supported'],
      [1, 'unsupported'],
    ]);
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.deepEqual(
      done.citations.map(c => c.support),
      ['supported', 'unsupported'],
    );
    assert.equal(done.usage.modelCalls, 3, 'grade, generate and ONE check');
    const tokenAt = events.findIndex(e => e.type === 'token' && e.text.includes('Logs'));
    const lastCitation = events.map(e => e.type).lastIndexOf('citation');
    assert.ok(lastCitation > tokenAt, 'the check runs after the answer has streamed');
  });

  it('moves a citation to the lines the model names among those it was shown, sending it again', async () => {
    const events = await run({
      reply: '{"verdicts": [{"support": "supported", "lines": [2, 2]}, {"support": "supported", "lines": [1, 9]}]}',
    });
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.deepEqual(
      done.citations.map(c => [c.support, c.startLine, c.endLine]),
      [
        ['supported', 2, 2],
        ['supported', 1, 1],
      ],
      'the first takes line 2; the second keeps its line, 1–9 is not among those it was shown',
    );
    const resent = events.flatMap(e => (e.type === 'citation' ? [[e.citation.ordinal, e.citation.startLine]] : []));
    assert.deepEqual(resent.slice(2), [[0, 2]]);
  });

  it('reads a reasoning model’s verdicts after its <think> block, not the drafts and words in it', async () => {
    const reasoning =
      '<think>Claim 1 says 88 and the lines say 88: supported. Claim 2: the lines say /var/log, so supported? ' +
      'A draft: {"verdicts": ["supported", "supported"]}. No: the claim adds more than the lines say, not supported.</think>\n';
    for (const reply of [
      `${reasoning}{"verdicts": ["supported", "unsupported"]}`,
      `${reasoning}supported\nunsupported`,
    ]) {
      const done = last(await run({ reply }));
      assert.ok(done?.type === 'done', JSON.stringify(done));
      assert.deepEqual(
        done.citations.map(c => c.support),
        ['supported', 'unsupported'],
        reply,
      );
    }
  });

  it('keeps the lexical verdicts when the checker’s reasoning never ends: its verdict words are not its reply', async () => {
    const events = await run({ reply: '<think>Claim 1 is supported, claim 2 is not supported' });
    assert.ok(
      events.some(e => e.type === 'step' && /reply was unreadable; keeping the lexical verdicts/.test(e.detail)),
    );
    const done = last(events);
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.deepEqual(
      done.citations.map(c => c.support),
      ['supported', 'supported'],
    );
  });

  it('reads the verdicts a checker gives before a `</think>` in its prose, past the block it opened itself', async () => {
    const reply =
      '<think>draft</think>\n{"verdicts": ["supported", "unsupported"]}\nClaim 2 is about the </think> tag.';
    const done = last(await run({ reply }));
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.deepEqual(
      done.citations.map(c => c.support),
      ['supported', 'unsupported'],
    );
  });

  it('does not ask for the check after the grader sent no reply in time, and says so', async () => {
    const m = new ScriptedChatModel(call =>
      isGrade(call) ? { stall: true } : { tokens: ['The flux level is 88 [1]. ', 'Logs go to /var/log [2].'] },
    );
    const events = await answerPastLimit(
      { question: 'flux and logs?' },
      { retriever: sources, model: m, options: { citationCheck: 'model', firstTokenTimeoutMs: LIMIT_MS } },
      () => m.calls.some(isGrade),
    );
    assert.equal(m.calls.filter(c => c.system.startsWith('You check citations')).length, 0);
    assert.equal(m.calls.filter(isGrade).length, 1);
    assert.ok(events.some(e => e.type === 'step' && /no reply in time.*keeping the lexical verdicts/.test(e.detail)));
    const done = last(events);
    assert.ok(done?.type === 'done');
    assert.deepEqual(
      done.citations.map(c => c.support),
      ['supported', 'supported'],
    );
  });

  it('gives up a check the model never answers after one limit, keeping the lexical verdicts', async () => {
    const m = checker({ stall: true });
    const events = await answerPastLimit(
      { question: 'flux and logs?' },
      { retriever: sources, model: m, options: { citationCheck: 'model', firstTokenTimeoutMs: LIMIT_MS } },
      () => m.calls.some(c => c.system.startsWith('You check citations')),
    );
    assert.equal(m.calls.filter(c => c.system.startsWith('You check citations')).length, 1);
    assert.ok(
      events.some(e => e.type === 'step' && /citation check failed.*keeping the lexical verdicts/.test(e.detail)),
    );
    assert.equal(last(events)?.type, 'done');
  });

  it('keeps the lexical verdicts when the check’s reply is unreadable or the call fails', async () => {
    for (const check of [{ reply: 'I am not sure.' }, { failBefore: httpError(500) }]) {
      const events = await run(check);
      const done = last(events);
      assert.ok(done?.type === 'done', JSON.stringify(done));
      assert.deepEqual(
        done.citations.map(c => c.support),
        ['supported', 'supported'],
      );
      assert.ok(events.some(e => e.type === 'step' && /keeping the lexical verdicts/.test(e.detail)));
    }
  });
});
