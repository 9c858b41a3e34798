import assert from 'node:assert/strict';
import { ask, type AskDeps } from '../../../src/core/ask';
import type { AnswerEvent, AskRequest, Turn } from '../../../src/core/events';
import { estimateTokens, promptTokenBudget } from '../../../src/core/rag/promptBudget';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { ScriptedChatModel, type RecordedCall } from '../../fakes/scriptedChatModel';
import { collect } from '../../support/collect';

const isGrade = (c: RecordedCall) => c.system.startsWith('You grade');
const answer = (request: AskRequest, deps: AskDeps): Promise<AnswerEvent[]> =>
  collect(ask(request, { clock: new FakeClock(), ...deps }));
const steps = (events: AnswerEvent[], name: string) =>
  events.flatMap(e => (e.type === 'step' && e.name === name ? [e.detail] : []));
const text = (call: RecordedCall | undefined) =>
  (call?.messages ?? []).map(m => (typeof m.content === 'string' ? m.content : '')).join('\n');
/** The tokens a call's messages take by the budget's own count. */
const tokensOf = (call: RecordedCall | undefined) =>
  (call?.messages ?? []).reduce(
    (sum, m) => sum + estimateTokens(typeof m.content === 'string' ? m.content : '') + 8,
    0,
  );

/** A chunk of `lines` lines whose middle line says what passage n's `key` is. */
function chunk(n: number, key: string, lines = 60) {
  const body = Array.from({ length: lines }, (_, i) =>
    i === Math.floor(lines / 2) ? `the ${key} is ${n * 11}` : `line ${i} of file ${n}, about something else`,
  );
  return passage(n, body.join('\n'));
}

const longHistory: Turn[] = Array.from({ length: 3 }, (_, i) => [
  { role: 'user' as const, text: `earlier question ${i}: ${'word '.repeat(380)}` },
  { role: 'assistant' as const, text: `earlier answer ${i}: ${'reply '.repeat(320)}` },
]).flat();

describe('ask() within the model’s context', () => {
  it('leaves out the oldest turns and lowest passages for a small context, says so, and numbers what it sends', async () => {
    const passages = [1, 2, 3, 4, 5, 6].map(n => chunk(n, 'port'));
    const m = new ScriptedChatModel(call =>
      isGrade(call) ? { reply: '{"relevant":[1,2,3,4,5,6]}' } : { tokens: ['The port is 22 [2].'] },
    );
    const events = await answer(
      { question: 'and the port?', history: longHistory },
      { retriever: new FakeRetriever(() => passages), model: m, options: { maxInputTokens: 1200 } },
    );
    const gen = m.calls.find(c => !isGrade(c));
    const sent = text(gen);
    const sources = events.find(e => e.type === 'sources');
    assert.ok(sources?.type === 'sources');
    const kept = sources.sources.length;
    assert.ok(kept >= 2 && kept < 6, `${kept} passages kept`);
    assert.deepEqual(sources.sources, passages.slice(0, kept));
    // every passage sent is numbered as in `sources`; none left out is numbered
    for (const [i, p] of sources.sources.entries()) assert.ok(sent.includes(`[${i + 1}] ${p.path}`));
    assert.ok(!sent.includes(`[${kept + 1}] `));
    assert.ok(!sent.includes('earlier question 0'), 'the oldest turn is left out');
    assert.ok(sent.includes('and the port?'));
    assert.ok(tokensOf(gen) <= promptTokenBudget(1200)!);
    const left = 6 - kept;
    assert.deepEqual(steps(events, 'generate'), [
      `Left out 6 earlier turns and ${left} passage${left === 1 ? '' : 's'}, and kept only each passage’s best lines to fit the model’s context (1,200 tokens)`,
      `Writing the answer from ${kept} passages`,
    ]);
    const citation = events.find(e => e.type === 'citation');
    assert.ok(citation?.type === 'citation');
    assert.equal(citation.citation.n, 2);
    assert.equal(citation.citation.passage, sources.sources[1]);
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('sends every earlier turn and passage whole, and says nothing of a budget, when there is no limit', async () => {
    const passages = [1, 2, 3, 4, 5, 6].map(n => chunk(n, 'port'));
    const m = new ScriptedChatModel(call =>
      isGrade(call) ? { reply: '{"relevant":[1,2,3,4,5,6]}' } : { tokens: ['x'] },
    );
    const events = await answer(
      { question: 'and the port?', history: longHistory },
      { retriever: new FakeRetriever(() => passages), model: m },
    );
    const gen = m.calls.find(c => !isGrade(c));
    assert.equal(gen?.messages.length, 8);
    assert.ok(text(gen).includes('[6] docs/file6.md'));
    assert.deepEqual(steps(events, 'generate'), ['Writing the answer from 6 passages']);
  });

  it('grades the top passages that fit in one call, and maps the grader’s numbers to them', async () => {
    const passages = Array.from({ length: 50 }, (_, i) => chunk(i + 1, 'cache'));
    let graded = 0;
    const m = new ScriptedChatModel(call => {
      if (!isGrade(call)) return { tokens: ['x'] };
      graded = (call.prompt.match(/^\[\d+\] /gm) ?? []).length;
      return { reply: `{"relevant":[${graded}]}` };
    });
    const events = await answer(
      { question: 'where is the cache?' },
      {
        retriever: new FakeRetriever(() => passages),
        model: m,
        options: { k: 50, maxInputTokens: 4096 },
      },
    );
    assert.equal(m.calls.filter(isGrade).length, 1);
    assert.ok(graded > 5 && graded < 50, `${graded} graded`);
    assert.ok(tokensOf(m.calls.find(isGrade)) <= promptTokenBudget(4096)!);
    assert.deepEqual(steps(events, 'grade'), [
      `Grading the top ${graded} of 50 passages, in shorter excerpts, to fit the model’s context (4,096 tokens)`,
      `1 of ${graded} passages are relevant`,
    ]);
    const sources = events.find(e => e.type === 'sources');
    assert.deepEqual(sources?.type === 'sources' && sources.sources, [passages[graded - 1]]);
  });

  it('grades within the helper model’s own limit when a helper grades', async () => {
    const passages = Array.from({ length: 20 }, (_, i) => chunk(i + 1, 'cache'));
    const helper = new ScriptedChatModel(() => ({ reply: '{"relevant":[1]}' }));
    const m = new ScriptedChatModel(() => ({ tokens: ['x'] }));
    const events = await answer(
      { question: 'where is the cache?' },
      {
        retriever: new FakeRetriever(() => passages),
        model: m,
        helperModel: helper,
        options: { k: 20, maxInputTokens: 128_000, helperMaxInputTokens: 2048 },
      },
    );
    assert.ok(tokensOf(helper.calls[0]) <= promptTokenBudget(2048)!);
    assert.match(steps(events, 'grade')[0] ?? '', /to fit the model’s context \(2,048 tokens\)$/);
  });

  it('asks for a better query within the rewriting model’s limit when a long question found nothing', async () => {
    // the question is sent whole and the query it searched for (the question again) is quoted after it: a long
    // question that grading could take doubles in the rewrite prompt
    const cases = [
      { question: `why does this fail? ${'the log line says timeout '.repeat(300)}`, limits: { maxInputTokens: 4096 } },
      {
        question: `why does this fail? ${'the log line says timeout '.repeat(150)}`,
        limits: { maxInputTokens: 128_000, helperMaxInputTokens: 2048 },
        helper: true,
      },
    ];
    for (const { question, limits, helper } of cases) {
      const isRewrite = (c: RecordedCall) => c.system.startsWith('You rewrite');
      const script = (call: RecordedCall) =>
        isGrade(call)
          ? { reply: '{"relevant":[]}' }
          : isRewrite(call)
            ? { reply: 'timeout setting' }
            : { tokens: ['x'] };
      const m = new ScriptedChatModel(script);
      const h = new ScriptedChatModel(script);
      const r = new FakeRetriever(() => [chunk(1, 'timeout')]);
      const events = await answer(
        { question },
        { retriever: r, model: m, ...(helper && { helperModel: h }), options: limits },
      );
      const rewriter = helper ? h : m;
      const call = rewriter.calls.find(isRewrite);
      assert.ok(call, 'the query is rewritten');
      const limit = helper ? limits.helperMaxInputTokens : limits.maxInputTokens;
      assert.ok(tokensOf(call) <= promptTokenBudget(limit)!, `${tokensOf(call)} tokens sent to a ${limit}-token model`);
      assert.ok(call.prompt.includes(question.trim()), 'the question is sent whole');
      assert.deepEqual(r.queries.slice(1), ['timeout setting']);
      assert.equal(events.at(-1)?.type, 'done');
    }
  });

  it('does not ask a helper to rewrite a query when the question alone overflows its limit, and says so', async () => {
    const helper = new ScriptedChatModel(() => ({ reply: 'timeout setting' }));
    const m = new ScriptedChatModel(() => ({ tokens: ['x'] }));
    const r = new FakeRetriever(() => []);
    const events = await answer(
      { question: `why does this fail? ${'the log line says timeout '.repeat(100)}` },
      { retriever: r, model: m, helperModel: helper, options: { maxInputTokens: 128_000, helperMaxInputTokens: 600 } },
    );
    assert.equal(helper.calls.length, 0);
    assert.deepEqual(steps(events, 'rewrite'), [
      'The question leaves no room to rewrite the search query in the model’s context; searching no further',
    ]);
    assert.equal(r.queries.length, 1);
    assert.equal(events.at(-1)?.type, 'done');
  });

  it('refuses a question that leaves no room for a passage, before searching or asking a model', async () => {
    const r = new FakeRetriever(() => [chunk(1, 'port')]);
    const m = new ScriptedChatModel(() => ({ tokens: ['x'] }));
    const events = await answer(
      { question: `why ${'does this fail '.repeat(500)}?` },
      { retriever: r, model: m, options: { maxInputTokens: 2048 } },
    );
    const last = events.at(-1);
    assert.ok(last?.type === 'error');
    assert.equal(last.error.kind, 'bad-input');
    assert.match(last.error.message, /no room for the passages .* \(2,048 tokens\)\. Shorten the question/);
    assert.deepEqual(r.queries, []);
    assert.equal(m.calls.length, 0);
  });

  it('checks the first citations that fit in one call, and keeps the lexical verdicts of the rest', async () => {
    const facts = Array.from({ length: 12 }, (_, i) => `Setting ${i} of the flux engine is ${i * 7} units wide.`);
    const sources = new FakeRetriever(() => [passage(1, facts.join('\n'))]);
    let checked = 0;
    const m = new ScriptedChatModel(call => {
      if (isGrade(call)) return { reply: '{"relevant":[1]}' };
      if (call.system.startsWith('You check citations')) {
        checked = (call.prompt.match(/^Claim \d+:/gm) ?? []).length;
        return { reply: JSON.stringify({ verdicts: Array.from({ length: checked }, () => 'unsupported') }) };
      }
      return { tokens: facts.map(f => `${f} [1]\n`) };
    });
    const events = await answer(
      { question: 'how wide is each setting of the flux engine?' },
      { retriever: sources, model: m, options: { citationCheck: 'model', maxInputTokens: 1500 } },
    );
    assert.ok(checked > 0 && checked < 12, `${checked} claims checked`);
    const check = m.calls.find(c => c.system.startsWith('You check citations'));
    assert.ok(tokensOf(check) <= promptTokenBudget(1500)!);
    assert.ok(
      steps(events, 'generate').includes(
        `Checking the first ${checked} of 12 citations with the model, to fit its context (1,500 tokens)`,
      ),
    );
    const done = events.at(-1);
    assert.ok(done?.type === 'done');
    assert.deepEqual(
      done.citations.map(c => c.support === 'unsupported'),
      Array.from({ length: 12 }, (_, i) => i < checked),
    );
  });
});
