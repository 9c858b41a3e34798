import assert from 'node:assert/strict';
import { ask } from '../../../src/core/ask';
import type { AnswerEvent, AskRequest, Citation } from '../../../src/core/events';
import { EndpointRequestError, GroundedError, SET_API_KEY } from '../../../src/core/errors';
import { locatePassage } from '../../../src/core/locatePassage';
import type { Passage } from '../../../src/core/passage';
import { headingsInFile } from '../../../src/core/searchResults';
import type { CitationView, HostToPanel, TurnView } from '../../../src/shared/messages';
import {
  PanelController,
  type PanelPorts,
  type RestoredTurn,
  type SavedTurn,
  type StoredTurn,
} from '../../../src/vscode/panelController';
import type { Opened } from '../../../src/vscode/openPassage';
import type { CitedPassage } from '../../../src/vscode/storedPassage';
import { citedLinesOf, copyText, reduceTurn } from '../../../src/shared/panelTurns';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { httpError, ScriptedChatModel, type Script } from '../../fakes/scriptedChatModel';
import { until } from '../../support/until';

/** A spy webview and host: records every message and call; timers run when the test says so. */
function spyPorts(generate: Script[], sources: Passage[] = [passage(1, 'flux is 88'), passage(2)]) {
  let gen = 0;
  const model = new ScriptedChatModel(call =>
    call.system.startsWith('You grade')
      ? { reply: '{"relevant":[1,2]}' }
      : (generate[Math.min(gen++, generate.length - 1)] ?? {}),
  );
  const retriever = new FakeRetriever(() => sources);
  const posted: HostToPanel[] = [];
  const timers: (() => void)[] = [];
  const requests: AskRequest[] = [];
  const record = {
    posted,
    requests,
    opened: [] as string[],
    openedPassages: [] as CitedPassage[],
    commands: [] as string[],
    /** Each command run, with its arguments. */
    ran: [] as [string, unknown[] | undefined][],
    saved: [] as StoredTurn[][],
    /** Each save of the streaming turn apart (`undefined`: the one saved apart was dropped). */
    savedStreaming: [] as (StoredTurn | undefined)[],
    /** Each link opened outside VS Code. */
    links: [] as string[],
    model,
    runTimers: () => timers.splice(0).forEach(fn => fn()),
  };
  const ports: PanelPorts = {
    post: m => posted.push(structuredClone(m)),
    ask: r => {
      requests.push(r);
      return ask(r, { retriever, model, clock: new FakeClock() });
    },
    openPassage: async p => {
      record.opened.push(p.path);
      record.openedPassages.push(structuredClone(p));
      return { how: p.path.endsWith('2.md') ? 'stale' : 'exact' };
    },
    runCommand: (c, args) => {
      record.commands.push(c);
      record.ran.push([c, args]);
    },
    copy: () => undefined,
    openLink: url => void record.links.push(url),
    save: turns => record.saved.push(structuredClone(turns)),
    saveStreaming: turn => record.savedStreaming.push(structuredClone(turn)),
    schedule: fn => void timers.push(fn),
  };
  return { ports, record };
}

const types = (ms: HostToPanel[]) => ms.map(m => m.type);

/** A passage of five lines (10-14) whose middle line says what the answers below claim. */
const FLUX_LINES = [
  '# Flux capacitor',
  'The housing is made of brushed steel.',
  'Set flux.level to 88 in acme.json.',
  'Logs rotate every night.',
  'Nothing else is configured.',
];
/** docs/flux.md as fluxPassage was cited from: nine lines, then the passage at lines 10-14. */
const FLUX_FILE = [...Array.from({ length: 9 }, (_, i) => `line ${i + 1}`), ...FLUX_LINES].join('\n');
const fluxPassage: Passage = {
  id: 'docs/flux.md:10-14',
  path: 'docs/flux.md',
  location: '/ws/docs/flux.md',
  startLine: 10,
  endLine: 14,
  title: 'Flux',
  text: FLUX_LINES.join('\n'),
  score: 9,
};
/** What opening `p` does in a file whose text is `file`, as openPassage says it. */
function openedIn(file: string, p: CitedPassage): Opened {
  const found = locatePassage(file, p);
  if (!found) return { how: 'stale' };
  if (found.how === 'exact') return { how: 'exact' };
  const lines = { startLine: found.startLine, endLine: found.endLine };
  return { how: 'moved', lines, under: headingsInFile(p.path, file, found.startLine) };
}

const citationsPosted = (ms: HostToPanel[]) => ms.flatMap(m => (m.type === 'citation' ? [m.citation] : []));

/** Ports whose ask() replays `events` as they are: for what the core sends that a scripted model cannot make it send. */
function eventPorts(events: AnswerEvent[]) {
  const spy = spyPorts([]);
  spy.ports.ask = async function* () {
    yield* events;
  };
  return spy;
}

function fluxCitation(over: Partial<Citation> = {}): Citation {
  return {
    n: 1,
    ordinal: 0,
    passage: fluxPassage,
    claim: 'Set flux.level to 88.',
    startLine: 12,
    endLine: 12,
    support: 'supported',
    ...over,
  };
}
const usage = { modelCalls: 1, retries: 0, rewrites: 0, fallback: false };

describe('panel host side', () => {
  it('posts turn, steps, sources, batched tokens and done in order, and saves the conversation', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Flux ', 'is ', '88 ', '[1].'] }]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    assert.deepEqual(types(record.posted), [
      'turnStarted',
      'step',
      'step',
      'step',
      'sources',
      'step',
      'citation',
      'tokens',
      'done',
    ]);
    const tokens = record.posted.filter(m => m.type === 'tokens');
    assert.deepEqual(
      tokens.map(m => m.type === 'tokens' && m.text),
      ['Flux is 88 [1].'],
      'tokens between two flushes go as one message',
    );
    const done = record.posted.at(-1);
    assert.ok(done?.type === 'done');
    assert.deepEqual(done.cited, [1]);
    assert.equal(record.saved.at(-1)?.[0]?.view.answer, 'Flux is 88 [1].');
  });

  it('flushes batched tokens when the timer fires, mid-stream', async () => {
    const { ports, record } = spyPorts([{ tokens: ['a', 'b', 'c', 'd'], delayMs: 5 }]);
    const panel = new PanelController(ports);
    const asking = panel.ask('q');
    const flushed: string[] = [];
    // the model streams on real timers, the panel's batching on fake ones: run those until the answer is done
    assert.ok(
      await until(() => (record.runTimers(), record.posted.at(-1)?.type === 'done'), { everyMs: 2 }),
      'the answer finished',
    );
    await asking;
    for (const m of record.posted) if (m.type === 'tokens') flushed.push(m.text);
    assert.ok(flushed.length >= 2, `several batches: ${JSON.stringify(flushed)}`);
    assert.equal(flushed.join(''), 'abcd', 'no token lost or repeated');
  });

  it('shows each token once when the view is shown again mid-answer: the restore holds the batch not yet posted', async () => {
    const { ports, record } = spyPorts([{ tokens: ['a', 'b', 'c', 'd'], delayMs: 5 }]);
    const panel = new PanelController(ports);
    const asking = panel.ask('q');
    assert.ok(
      await until(() => record.posted.some(m => m.type === 'turnStarted') && panel.conversation[0]?.view.answer !== ''),
    );
    // the webview reloaded (hidden and shown): it asks for the conversation while tokens wait for their batch
    await panel.receive({ type: 'ready' });
    const restoredAt = record.posted.length - 1;
    assert.ok(
      await until(() => (record.runTimers(), record.posted.at(-1)?.type === 'done'), { everyMs: 2 }),
      'the answer finished',
    );
    await asking;
    const restore = record.posted[restoredAt];
    assert.ok(restore?.type === 'restore');
    const after = record.posted.slice(restoredAt + 1).flatMap(m => (m.type === 'tokens' ? [m.text] : []));
    assert.equal((restore.turns[0]?.answer ?? '') + after.join(''), 'abcd', 'what the webview shows');
  });

  it('saves a question as it is asked, and its answer while it streams, for a window reloaded mid-answer', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Flux ', 'is ', '88 ', '[1].'], delayMs: 5 }]);
    const panel = new PanelController(ports);
    const asking = panel.ask('flux?');
    assert.ok(await until(() => record.saved.length > 0));
    assert.deepEqual(
      record.saved[0]?.map(t => [t.view.question, t.view.status]),
      [['flux?', 'streaming']],
    );
    await asking;
    // a window reloaded with the answer still streaming: kept, and marked interrupted
    const reloaded = new PanelController(spyPorts([]).ports, record.saved[0]);
    assert.deepEqual(
      reloaded.conversation.map(t => [t.view.question, t.view.status]),
      [['flux?', 'interrupted']],
    );
  });

  it('saves the streaming turn alone while it streams, and a window closed mid-answer keeps its text', async () => {
    const { ports, record } = spyPorts([]);
    const earlier: SavedTurn[] = Array.from({ length: 20 }, (_, i) => ({
      view: { id: `e${i}`, question: `q${i}`, answer: 'x'.repeat(1000), sources: [], cited: [], status: 'done' },
      passages: [],
    }));
    let release = () => {};
    const gate = new Promise<void>(resolve => (release = resolve));
    const tokensTaken = { n: 0 };
    ports.ask = async function* () {
      for (const text of ['Flux ', 'is ', '88.']) {
        tokensTaken.n++;
        yield { type: 'token', text };
      }
      await gate;
      yield { type: 'done', answer: 'Flux is 88.', citations: [], usage, mode: 'answer' };
    };
    const panel = new PanelController(ports, earlier);
    const asking = panel.ask('flux?');
    assert.ok(await until(() => tokensTaken.n === 3));
    const wholeSaves = record.saved.length;
    record.runTimers(); // the token batch, and the streaming turn's save
    assert.equal(record.saved.length, wholeSaves, 'the conversation is not saved again while the answer streams');
    const streaming = record.savedStreaming.at(-1);
    assert.deepEqual([streaming?.view.question, streaming?.view.answer], ['flux?', 'Flux is 88.']);

    // the window closes here: the conversation as saved, and the streaming turn saved apart
    const reloaded = new PanelController(spyPorts([]).ports, structuredClone(record.saved.at(-1)), streaming);
    assert.equal(reloaded.conversation.length, 21);
    assert.deepEqual(
      [reloaded.conversation[20]?.view.answer, reloaded.conversation[20]?.view.status],
      ['Flux is 88.', 'interrupted'],
    );

    release();
    await asking;
    assert.equal(record.saved.at(-1)?.[20]?.view.status, 'done', 'the end saves the conversation');
    assert.equal(record.savedStreaming.at(-1), undefined, 'and drops the turn saved apart');
    // a turn saved apart that the conversation has since finished does not replace it
    const later = new PanelController(spyPorts([]).ports, structuredClone(record.saved.at(-1)), streaming);
    assert.equal(later.conversation[20]?.view.status, 'done');
  });

  it('restores an answer the closing window cut as cut by the reload, not as stopped by the person', async () => {
    const { ports, record } = spyPorts([]);
    ports.ask = async function* (request) {
      yield { type: 'token', text: 'Half an answer' };
      await new Promise(resolve => request.signal?.addEventListener('abort', resolve));
      yield { type: 'error', error: new GroundedError('cancelled', 'Cancelled.'), partial: 'Half an answer' };
    };
    const panel = new PanelController(ports);
    const asking = panel.ask('flux?');
    assert.ok(await until(() => panel.conversation[0]?.view.answer === 'Half an answer'));
    panel.close();
    await asking;
    const reloaded = new PanelController(spyPorts([]).ports, record.saved.at(-1), record.savedStreaming.at(-1));
    const view = reloaded.conversation[0]?.view;
    assert.deepEqual(
      [view?.answer, view?.status, view?.error?.message],
      ['Half an answer', 'interrupted', 'The window was reloaded while this answer was streaming.'],
    );
  });

  it('keeps offering Undo when the view is shown again after New Conversation', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Flux is 88 [1].'] }]);
    const panel = new PanelController(ports);
    await panel.ask('first?');
    panel.newConversation();
    await panel.receive({ type: 'ready' });
    assert.deepEqual(record.posted.at(-1), { type: 'restore', turns: [], undoable: true });
  });

  it('keeps the partial answer when the stream breaks, and Retry completes the same turn', async () => {
    const { ports, record } = spyPorts([
      { tokens: ['Part', 'ial', ' more'], failAfter: { tokens: 2, error: new Error('socket hang up') } },
      { tokens: ['Whole answer [1]'] },
    ]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const error = record.posted.find(m => m.type === 'error');
    assert.ok(error?.type === 'error' && error.status === 'interrupted');
    const id = error.turnId;
    assert.equal(panel.conversation[0]?.view.answer, 'Partial');
    await panel.retry(id);
    assert.equal(panel.conversation.length, 1, 'retried in place');
    assert.equal(panel.conversation[0]?.view.answer, 'Whole answer [1]');
    assert.equal(panel.conversation[0]?.view.status, 'done');
  });

  it('gives the partial answer back, with its sources and citations, when Retry fails or is stopped before writing', async () => {
    const { ports, record } = spyPorts([
      { tokens: ['Flux is 88 [1]', ' and more'], failAfter: { tokens: 1, error: new Error('socket hang up') } },
      { failBefore: httpError(401) },
      { stall: true },
    ]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    const broken = structuredClone(panel.conversation[0]?.view);
    assert.equal(broken?.answer, 'Flux is 88 [1]');
    assert.equal(broken.citations?.length, 1);
    const turnId = broken.id;
    /** The turn as the webview has it: the retry's turnStarted, and each message about the turn after it. */
    const shown = () => {
      const start = record.posted.map(m => m.type).lastIndexOf('turnStarted');
      const started = record.posted[start];
      assert.ok(started?.type === 'turnStarted');
      return record.posted
        .slice(start + 1)
        .reduce((view, m) => ('turnId' in m && m.turnId === turnId ? reduceTurn(view, m) : view), started.turn);
    };

    await panel.retry(turnId);
    const failed = panel.conversation[0]?.view;
    assert.equal(failed?.answer, 'Flux is 88 [1]', 'the earlier answer is back');
    assert.deepEqual(failed.sources, broken.sources);
    assert.deepEqual(failed.citations, broken.citations);
    assert.deepEqual(failed.cited, [1]);
    assert.equal(failed.status, 'interrupted');
    assert.match(failed.error?.message ?? '', /API key/i, 'why the Retry failed');
    assert.deepEqual(failed.error?.actionTitles, ['Set API Key', 'Show Log']);
    assert.deepEqual(shown(), failed, 'the webview shows what the host keeps');
    assert.equal(record.saved.at(-1)?.[0]?.view.answer, 'Flux is 88 [1]', 'and it is saved');
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    assert.deepEqual(record.opened, ['docs/file1.md'], 'its chip opens its cited lines');

    const retrying = panel.retry(turnId);
    assert.ok(await until(() => record.model.calls.filter(c => c.kind === 'stream').length === 3));
    await panel.receive({ type: 'stop' });
    await retrying;
    assert.equal(panel.conversation[0]?.view.answer, 'Flux is 88 [1]');
    assert.equal(panel.conversation[0]?.view.status, 'stopped');
    assert.deepEqual(shown(), panel.conversation[0]?.view);
  });

  it('passes earlier answers as history for a follow-up', async () => {
    const { ports, record } = spyPorts([{ tokens: ['first answer'] }, { tokens: ['second'] }]);
    const panel = new PanelController(ports);
    await panel.ask('first question');
    await panel.ask('and then?');
    assert.deepEqual(record.requests[1]?.history, [
      { role: 'user', text: 'first question' },
      { role: 'assistant', text: 'first answer' },
    ]);
  });

  it('stops the model when Stop is pressed', async () => {
    const { ports, record } = spyPorts([{ tokens: ['a', 'b', 'c'], delayMs: 30 }]);
    const panel = new PanelController(ports);
    const asking = panel.ask('q');
    assert.ok(await until(() => record.model.calls.some(c => c.kind === 'stream')), 'the model was called');
    panel.receive({ type: 'stop' });
    await asking;
    assert.ok(record.model.calls.find(c => c.kind === 'stream')?.aborted, 'the model call was aborted');
    const error = record.posted.find(m => m.type === 'error');
    assert.ok(error?.type === 'error' && error.status === 'stopped');
  });

  it('opens citations by id only, and marks a stale one', async () => {
    const { ports, record } = spyPorts([{ tokens: ['x [1][2]'] }]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const id = panel.conversation[0]?.view.id ?? '';
    await Promise.all([
      panel.receive({ type: 'openCitation', turnId: id, n: 1 }),
      panel.receive({ type: 'openCitation', turnId: id, n: 2 }),
      panel.receive({ type: 'openCitation', turnId: id, n: 7 }),
      panel.receive({ type: 'openCitation', turnId: 'nope', n: 1 }),
    ]);
    assert.deepEqual(record.opened, ['docs/file1.md', 'docs/file2.md']);
    assert.deepEqual(
      record.posted.filter(m => m.type === 'citationStale'),
      [{ type: 'citationStale', turnId: id, n: 2 }],
    );
    assert.deepEqual(panel.conversation[0]?.view.stale, [2]);
  });

  it('posts each citation as plain data before the tokens of its marker: its aligned lines, claim, verdict and an excerpt', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 ', '[', '1].'] }], [fluxPassage, passage(2)]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    const citation = record.posted.findIndex(m => m.type === 'citation');
    const tokens = record.posted.findIndex(m => m.type === 'tokens');
    assert.ok(citation >= 0 && citation < tokens, types(record.posted).join(' '));
    assert.deepEqual(citationsPosted(record.posted), [
      {
        ordinal: 0,
        n: 1,
        path: 'docs/flux.md',
        startLine: 12,
        endLine: 12,
        claim: 'Set flux.level to 88',
        heading: 'Flux',
        support: 'supported',
        excerpt: 'Set flux.level to 88 in acme.json.',
      },
    ]);
    assert.deepEqual(
      panel.conversation[0]?.view.citations,
      citationsPosted(record.posted),
      'the turn keeps them to restore the panel',
    );
  });

  it('replaces a citation the model check gives a new verdict, by ordinal', async () => {
    const { ports, record } = eventPorts([
      { type: 'sources', sources: [fluxPassage] },
      { type: 'citation', citation: fluxCitation() },
      { type: 'token', text: 'Set flux.level to 88 [1].' },
      { type: 'citation', citation: fluxCitation({ support: 'unsupported' }) },
      {
        type: 'done',
        answer: 'Set flux.level to 88 [1].',
        citations: [fluxCitation({ support: 'unsupported' })],
        usage,
        mode: 'answer',
      },
    ]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    assert.deepEqual(
      citationsPosted(record.posted).map(c => [c.ordinal, c.support]),
      [
        [0, 'supported'],
        [0, 'unsupported'],
      ],
    );
    assert.deepEqual(
      panel.conversation[0]?.view.citations?.map(c => [c.ordinal, c.support]),
      [[0, 'unsupported']],
    );
  });

  it('posts a citation that only the done event carries', async () => {
    const { ports, record } = eventPorts([
      { type: 'sources', sources: [fluxPassage] },
      { type: 'token', text: 'Set flux.level to 88 [1].' },
      { type: 'done', answer: 'Set flux.level to 88 [1].', citations: [fluxCitation()], usage, mode: 'answer' },
    ]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    assert.deepEqual(
      citationsPosted(record.posted).map(c => [c.ordinal, c.startLine]),
      [[0, 12]],
    );
    await panel.receive({ type: 'openCitation', turnId: panel.conversation[0]?.view.id ?? '', n: 1, ordinal: 0 });
    assert.deepEqual(
      record.openedPassages.map(p => [p.startLine, p.endLine]),
      [[12, 12]],
    );
  });

  it('opens exactly the aligned lines of the chip clicked, and passage n when the chip’s citation is not known', async () => {
    const { ports, record } = eventPorts([
      { type: 'sources', sources: [fluxPassage, passage(2)] },
      { type: 'citation', citation: fluxCitation({ ordinal: 1, startLine: 12, endLine: 13 }) },
      { type: 'token', text: 'A [2]. Set flux.level to 88 and logs rotate [1].' },
      {
        type: 'done',
        answer: 'A [2]. Set flux.level to 88 and logs rotate [1].',
        citations: [fluxCitation({ ordinal: 1, startLine: 12, endLine: 13 })],
        usage,
        mode: 'answer',
      },
    ]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    await Promise.all([
      panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 1 }),
      panel.receive({ type: 'openCitation', turnId, n: 2, ordinal: 0 }),
      panel.receive({ type: 'openCitation', turnId, n: 1 }),
    ]);
    const opened = record.openedPassages.map(p => [p.path, p.startLine, p.endLine, 'text' in p ? p.text : '']);
    assert.deepEqual(opened, [
      ['docs/flux.md', 12, 13, 'Set flux.level to 88 in acme.json.\nLogs rotate every night.'],
      ['docs/file2.md', 1, 3, 'passage 2 text'],
      ['docs/flux.md', 10, 14, FLUX_LINES.join('\n')],
    ]);
  });

  it('saves a citation’s aligned range and a fingerprint of its lines, never their text or excerpt', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage]);
    const panel = new PanelController(ports);
    await panel.ask('flux?');
    const saved = record.saved.at(-1) ?? [];
    const lines = saved[0]?.citedLines ?? [];
    assert.deepEqual(
      lines.map(c => [c.ordinal, c.span.path, c.span.startLine, c.span.endLine, c.span.fingerprint.lines]),
      [[0, 'docs/flux.md', 12, 12, 1]],
    );
    const views = saved[0]?.view.citations ?? [];
    assert.deepEqual(
      views.map(c => [c.startLine, c.endLine, c.claim, c.excerpt]),
      [[12, 12, 'Set flux.level to 88', undefined]],
    );
    for (const line of FLUX_LINES) assert.ok(!JSON.stringify(saved).includes(line), `"${line}" is not saved`);
    assert.equal(
      panel.conversation[0]?.view.citations?.[0]?.excerpt,
      'Set flux.level to 88 in acme.json.',
      'the live turn keeps its excerpt',
    );
  });

  it('opens a restored turn’s chip at its aligned lines where their text is now, or says the citation is stale', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage]);
    await new PanelController(ports).ask('flux?');
    const saved = structuredClone(record.saved.at(-1) ?? []);
    const turnId = saved[0]?.view.id ?? '';
    // after a reload only the saved state is left; two lines were added above the passage
    let file = ['x', 'y', ...Array.from({ length: 9 }, (_, i) => `line ${i + 1}`), ...FLUX_LINES].join('\n');
    const found: (ReturnType<typeof locatePassage> | undefined)[] = [];
    const openInFile = async (p: CitedPassage) => {
      found.push(locatePassage(file, p));
      return openedIn(file, p);
    };
    const posted: HostToPanel[] = [];
    const restored = new PanelController({ ...ports, openPassage: openInFile, post: m => posted.push(m) }, saved);
    await restored.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    assert.deepEqual(found, [{ startLine: 14, endLine: 14, how: 'moved' }], 'the aligned line, not the whole passage');
    file = file.replace('Set flux.level to 88', 'Set flux.level to 99');
    await restored.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    // found again two lines down, then gone: the chip names the lines it opened, then says they are gone
    assert.deepEqual(
      citationsPosted(posted).map(c => [c.ordinal, c.startLine, c.stale]),
      [
        [0, 14, undefined],
        [0, 14, true],
      ],
    );
    assert.equal(restored.conversation[0]?.view.citations?.[0]?.stale, true);
    assert.equal(restored.conversation[0]?.view.stale, undefined, 'the source itself is not marked');
  });

  it('names the lines a chip opened where they moved: its hover, the cited lines, Copy and the saved turn', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage]);
    const original = FLUX_FILE;
    let file = original;
    const posted: HostToPanel[] = [];
    const panel = new PanelController({
      ...ports,
      openPassage: async p => openedIn(file, p),
      post: m => posted.push(structuredClone(m)),
    });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const open = () => panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    assert.equal(panel.conversation[0]?.view.citations?.[0]?.startLine, 12);
    const before = structuredClone(panel.conversation[0]?.view as TurnView);
    posted.length = 0;
    // two lines added above the passage: the chip opens line 14, and says so everywhere
    file = `x\ny\n${original}`;
    await open();
    const view = panel.conversation[0]?.view as TurnView;
    assert.deepEqual(
      citationsPosted(posted).map(c => [c.path, c.startLine, c.endLine, c.stale]),
      [['docs/flux.md', 14, 14, undefined]],
    );
    assert.deepEqual(
      citedLinesOf(view, 1).map(l => [l.startLine, l.endLine]),
      [[14, 14]],
    );
    assert.match(copyText(view), /\[1\] docs\/flux\.md:14\n$/);
    const saved = record.saved.at(-1)?.[0];
    assert.equal(saved?.view.citations?.[0]?.startLine, 14, 'saved, as a reload shows it');
    assert.equal(saved?.citedLines?.[0]?.span.startLine, 14);
    // the webview, reducing what was posted, shows the same
    const shown = posted.reduce<TurnView>((turn, m) => (m.type === 'citation' ? reduceTurn(turn, m) : turn), before);
    assert.deepEqual(shown.citations, view.citations);
    // opened again where it now is, nothing changes; the file changed back, it names the old lines again
    posted.length = 0;
    await open();
    assert.deepEqual(posted, []);
    file = original;
    await open();
    assert.deepEqual(
      citationsPosted(posted).map(c => [c.startLine, c.endLine]),
      [[12, 12]],
    );
  });

  it('names the lines a source opened where its passage moved: its button and the saved turn', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage]);
    const original = FLUX_FILE;
    let file = original;
    const posted: HostToPanel[] = [];
    const panel = new PanelController({
      ...ports,
      openPassage: async p => openedIn(file, p),
      post: m => posted.push(structuredClone(m)),
    });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const open = () => panel.receive({ type: 'openCitation', turnId, n: 1 });
    const before = structuredClone(panel.conversation[0]?.view as TurnView);
    posted.length = 0;
    // two lines added above the passage: the source opens lines 12-16, and its button says so, titled with the heading
    // trail the file read again gives them
    file = `x\ny\n${original}`;
    await open();
    const view = panel.conversation[0]?.view as TurnView;
    assert.deepEqual(
      view.sources.map(s => [s.n, s.path, s.startLine, s.endLine, s.title]),
      [[1, 'docs/flux.md', 12, 16, 'Flux capacitor']],
    );
    assert.deepEqual(view.stale, undefined);
    assert.deepEqual(
      [panel.conversation[0]?.passages[0]?.startLine, panel.conversation[0]?.passages[0]?.endLine],
      [12, 16],
      'opened there from then on',
    );
    const saved = record.saved.at(-1)?.[0];
    assert.deepEqual(
      [saved?.passages[0]?.startLine, saved?.passages[0]?.endLine, saved?.passages[0]?.title],
      [12, 16, 'Flux capacitor'],
      'saved',
    );
    assert.deepEqual(
      [saved?.view.sources[0]?.startLine, saved?.view.sources[0]?.endLine, saved?.view.sources[0]?.title],
      [12, 16, 'Flux capacitor'],
    );
    assert.equal(view.citations?.[0]?.startLine, 12, 'a chip keeps its lines until it is opened');
    // the webview, reducing what was posted, shows the same
    const shown = posted.reduce<TurnView>((turn, m) => (m.type === 'sources' ? reduceTurn(turn, m) : turn), before);
    assert.deepEqual(shown.sources, view.sources);
    // opened again where it now is, nothing changes; the file changed back, it names the old lines again
    posted.length = 0;
    const saves = record.saved.length;
    await open();
    assert.equal(posted.length, 0, 'nothing to post');
    assert.equal(record.saved.length, saves, 'nothing to save');
    file = original;
    await open();
    assert.deepEqual(
      posted.flatMap(m => (m.type === 'sources' ? m.sources.map(s => [s.startLine, s.endLine]) : [])),
      [[10, 14]],
    );
  });

  it('titles a source whose passage moved with the heading trail the file read again gives it, where it was read', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage]);
    let opened: Opened = { how: 'exact' };
    const posted: HostToPanel[] = [];
    const panel = new PanelController({ ...ports, openPassage: async () => opened, post: m => posted.push(m) });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const open = async (then: Opened) => {
      opened = then;
      posted.length = 0;
      await panel.receive({ type: 'openCitation', turnId, n: 1 });
    };
    const titles = () => [
      panel.conversation[0]?.view.sources[0]?.title,
      panel.conversation[0]?.passages[0]?.title,
      record.saved.at(-1)?.[0]?.passages[0]?.title,
      record.saved.at(-1)?.[0]?.view.sources[0]?.title,
    ];
    const postedTitles = () => posted.flatMap(m => (m.type === 'sources' ? m.sources.map(s => s.title) : []));
    const lines = { startLine: 12, endLine: 16 };
    await open({ how: 'moved', lines, under: { title: 'Guide > Flux capacitor', heading: 'Flux capacitor' } });
    assert.deepEqual(titles(), Array(4).fill('Guide > Flux capacitor'));
    assert.deepEqual(postedTitles(), ['Guide > Flux capacitor']);
    // at the same lines under another trail: the title alone changed, and is posted
    await open({ how: 'moved', lines, under: { title: 'Flux capacitor' } });
    assert.deepEqual(titles(), Array(4).fill('Flux capacitor'));
    assert.deepEqual(postedTitles(), ['Flux capacitor']);
    // where headings are not read again (a notebook's cell, a PDF's page) the title stays as it was
    await open({ how: 'moved', lines: { startLine: 13, endLine: 17 } });
    assert.deepEqual(titles(), Array(4).fill('Flux capacitor'));
    assert.deepEqual(panel.conversation[0]?.view.sources[0]?.startLine, 13);
    // read again under no heading: untitled
    await open({ how: 'moved', lines, under: {} });
    assert.deepEqual(titles(), Array(4).fill(undefined));
    assert.deepEqual(postedTitles(), [undefined]);
  });

  it('names the heading moved lines are under now, for every chip of them, as the file read again gives it', async () => {
    const answer = 'Set flux.level to 88 [1]. It is 88 [1].';
    const second = fluxCitation({ ordinal: 1, claim: 'It is 88.' });
    const { ports, record } = eventPorts([
      { type: 'sources', sources: [fluxPassage] },
      { type: 'citation', citation: fluxCitation() },
      { type: 'citation', citation: second },
      { type: 'token', text: answer },
      { type: 'done', answer, citations: [fluxCitation(), second], usage, mode: 'answer' },
    ]);
    const original = FLUX_FILE;
    let opened = (p: CitedPassage) => openedIn(file, p);
    let file = original;
    const panel = new PanelController({ ...ports, openPassage: async p => opened(p) });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const headings = () => panel.conversation[0]?.view.citations?.map(c => [c.ordinal, c.startLine, c.heading]);
    // the passage's title names the heading its lines were cited under
    assert.deepEqual(headings(), [
      [0, 12, 'Flux'],
      [1, 12, 'Flux'],
    ]);
    // the line moved into a section of its own, two lines down
    const moved = original.replace(
      'Set flux.level to 88 in acme.json.',
      '\n## Flux level\nSet flux.level to 88 in acme.json.',
    );
    file = moved;
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 1 });
    assert.deepEqual(headings(), [
      [0, 14, 'Flux level'],
      [1, 14, 'Flux level'],
    ]);
    assert.deepEqual(
      citedLinesOf(panel.conversation[0]?.view ?? { citations: [] }, 1).map(l => [l.startLine, l.heading]),
      [[14, 'Flux level']],
    );
    assert.deepEqual(
      record.saved.at(-1)?.[0]?.view.citations?.map(c => c.heading),
      ['Flux level', 'Flux level'],
      'saved, as a reload shows it',
    );
    // where the heading is not read again (a notebook's cell), it stays as it was
    file = `x\n${moved}`;
    opened = p => {
      const found = openedIn(file, p);
      return found.how === 'moved' ? { how: 'moved', lines: found.lines } : found;
    };
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    assert.deepEqual(headings(), [
      [0, 15, 'Flux level'],
      [1, 15, 'Flux level'],
    ]);
    // moved where the file read again gives it no heading, it names none
    file = `x\n${file}`;
    opened = p => {
      const found = openedIn(file, p);
      return found.how === 'moved' ? { ...found, under: {} } : found;
    };
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
    assert.deepEqual(headings(), [
      [0, 16, undefined],
      [1, 16, undefined],
    ]);
  });

  it('no longer marks a chip or a source stale once their lines are found again (the file changed back)', async () => {
    const { ports } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage, passage(2)]);
    let file = ['x', ...FLUX_LINES].join('\n');
    const posted: HostToPanel[] = [];
    const panel = new PanelController({
      ...ports,
      openPassage: async p => openedIn(file, p),
      post: m => posted.push(structuredClone(m)),
    });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const open = async () => {
      await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
      await panel.receive({ type: 'openCitation', turnId, n: 1 });
    };
    const original = file;
    file = file.replace('Set flux.level to 88', 'Set flux.level to 99');
    await open();
    assert.equal(panel.conversation[0]?.view.citations?.[0]?.stale, true);
    assert.deepEqual(panel.conversation[0]?.view.stale, [1]);
    file = original;
    await open();
    assert.equal(panel.conversation[0]?.view.citations?.[0]?.stale, undefined, 'the chip is not stale');
    assert.equal(panel.conversation[0]?.view.stale, undefined, 'the source is not stale');
    // the webview, reducing what was posted, shows the same
    const shown = citationsPosted(posted).at(-1);
    assert.equal(shown?.stale, undefined);
    assert.deepEqual(
      posted.filter(m => m.type === 'citationStale'),
      [
        { type: 'citationStale', turnId, n: 1 },
        { type: 'citationStale', turnId, n: 1, stale: false },
      ],
    );
  });

  it('leaves a chip’s and a source’s marks as they were when the file cannot be opened (binary, unreadable)', async () => {
    const { ports } = spyPorts([{ tokens: ['Set flux.level to 88 [1].'] }], [fluxPassage, passage(2)]);
    let opened: Opened = { how: 'stale' };
    const posted: HostToPanel[] = [];
    const panel = new PanelController({ ...ports, openPassage: async () => opened, post: m => posted.push(m) });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const open = async () => {
      await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 0 });
      await panel.receive({ type: 'openCitation', turnId, n: 1 });
    };
    await open();
    posted.length = 0;
    opened = { how: 'unopened' };
    await open();
    assert.equal(panel.conversation[0]?.view.citations?.[0]?.stale, true, 'the chip is still stale');
    assert.deepEqual(panel.conversation[0]?.view.stale, [1], 'the source is still stale');
    assert.deepEqual(posted, [], 'nothing changes in the panel');
    opened = { how: 'exact' };
    await open();
    assert.equal(panel.conversation[0]?.view.citations?.[0]?.stale, undefined);
    assert.equal(panel.conversation[0]?.view.stale, undefined);
  });

  it('marks every chip of the same lines stale, or no longer stale, as the lines are found again or not', async () => {
    const answer = 'Set flux.level to 88 [1]. It is 88 [1].';
    const second = fluxCitation({ ordinal: 1, claim: 'It is 88.' });
    const { ports } = eventPorts([
      { type: 'sources', sources: [fluxPassage] },
      { type: 'citation', citation: fluxCitation() },
      { type: 'citation', citation: second },
      { type: 'token', text: answer },
      { type: 'done', answer, citations: [fluxCitation(), second], usage, mode: 'answer' },
    ]);
    let file = ['x', ...FLUX_LINES].join('\n');
    const original = file;
    const panel = new PanelController({ ...ports, openPassage: async p => openedIn(file, p) });
    await panel.ask('flux?');
    const turnId = panel.conversation[0]?.view.id ?? '';
    const staleness = () => panel.conversation[0]?.view.citations?.map(c => [c.ordinal, c.stale]);
    file = file.replace('Set flux.level to 88', 'Set flux.level to 99');
    // the second chip, whose lines are gone
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 1 });
    assert.deepEqual(staleness(), [
      [0, true],
      [1, true],
    ]);
    file = original;
    // the source's list opens the range as its first chip does, and finds the lines again
    const [range] = citedLinesOf(panel.conversation[0]?.view ?? { citations: [] }, 1);
    assert.equal(range?.ordinal, 0);
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: range?.ordinal });
    assert.deepEqual(staleness(), [
      [0, undefined],
      [1, undefined],
    ]);
    assert.equal(citedLinesOf(panel.conversation[0]?.view ?? { citations: [] }, 1)[0]?.stale, false);
    // lines found elsewhere are the new lines of every chip that cites them
    const lines = () => panel.conversation[0]?.view.citations?.map(c => [c.ordinal, c.startLine]);
    const [before] = lines() ?? [];
    file = `new first line\n${original}`;
    await panel.receive({ type: 'openCitation', turnId, n: 1, ordinal: 1 });
    assert.deepEqual(lines(), [
      [0, (before?.[1] ?? 0) + 1],
      [1, (before?.[1] ?? 0) + 1],
    ]);
    assert.equal(citedLinesOf(panel.conversation[0]?.view ?? { citations: [] }, 1).length, 1, 'one range still');
  });

  it('saves a restored conversation that kept excerpts again without them', () => {
    const { ports, record } = spyPorts([]);
    const excerpted: CitationView = {
      ordinal: 0,
      n: 1,
      path: 'docs/flux.md',
      startLine: 12,
      endLine: 12,
      claim: 'c',
      excerpt: 'secret line',
    };
    new PanelController(ports, [
      {
        view: {
          id: '1',
          question: 'a',
          answer: 'b [1]',
          sources: [],
          cited: [1],
          citations: [excerpted],
          status: 'done',
        },
        passages: [],
      },
    ]);
    assert.equal(record.saved.length, 1);
    assert.doesNotMatch(JSON.stringify(record.saved), /secret line/);
  });

  it('runs only the fix the host chose for an error, by the index of its button', async () => {
    const { ports, record } = spyPorts([{ failBefore: httpError(401) }]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const error = record.posted.find(m => m.type === 'error');
    assert.ok(error?.type === 'error' && error.status === 'failed');
    assert.deepEqual(error.actionTitles, ['Set API Key', 'Show Log']);
    await panel.receive({ type: 'runAction', turnId: error.turnId, index: 0 });
    assert.deepEqual(record.commands, ['grounded.setApiKey']);
  });

  it('offers a refused connection’s fixes as chat does, Open Setting and Show Log, and runs the one clicked', async () => {
    const refused = new Error('Connection error.', {
      cause: new EndpointRequestError(
        'http://127.0.0.1:8000',
        'grounded.model.baseUrl',
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
        }),
      ),
    });
    const { ports, record } = spyPorts([{ failBefore: refused }]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const error = record.posted.find(m => m.type === 'error');
    assert.ok(error?.type === 'error');
    assert.deepEqual(error.actionTitles, ['Open Setting', 'Show Log']);
    assert.deepEqual(panel.conversation[0]?.view.error?.actionTitles, ['Open Setting', 'Show Log']);
    await panel.receive({ type: 'runAction', turnId: error.turnId, index: 1 });
    await panel.receive({ type: 'runAction', turnId: error.turnId, index: 0 });
    assert.deepEqual(record.ran, [
      ['grounded.showLog', undefined],
      ['workbench.action.openSettings', ['grounded.model.baseUrl']],
    ]);
  });

  it('ignores a fix index the turn has no button for, and a turn it does not know', async () => {
    const { ports, record } = spyPorts([{ failBefore: httpError(401) }]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const turnId = panel.conversation[0]?.view.id ?? '';
    await panel.receive({ type: 'runAction', turnId, index: 2 });
    await panel.receive({ type: 'runAction', turnId: 'no such turn', index: 0 });
    assert.deepEqual(record.commands, []);
  });

  it('forgets an error’s fixes when its turn is asked again and answered', async () => {
    const { ports, record } = spyPorts([{ failBefore: httpError(401) }, { tokens: ['Flux is 88 [1].'] }]);
    const panel = new PanelController(ports);
    await panel.ask('q');
    const turnId = panel.conversation[0]?.view.id ?? '';
    await panel.retry(turnId);
    await panel.receive({ type: 'runAction', turnId, index: 0 });
    assert.deepEqual(record.commands, []);
    assert.equal(record.saved.at(-1)?.[0]?.actions, undefined);
  });

  it('keeps the fix of a conversation saved when errors offered one, and runs it from its button', async () => {
    const { ports, record } = spyPorts([]);
    const view = { id: '1', question: 'a', answer: '', sources: [], cited: [], status: 'failed' as const };
    const legacy: RestoredTurn[] = [
      {
        view: { ...view, error: { message: 'No key.', actionTitle: 'Set API Key' } },
        passages: [],
        action: SET_API_KEY,
      },
    ];
    const panel = new PanelController(ports, legacy);
    await panel.receive({ type: 'ready' });
    const restore = record.posted[0];
    assert.ok(restore?.type === 'restore');
    assert.deepEqual(restore.turns[0]?.error, { message: 'No key.', actionTitles: ['Set API Key'] });
    await panel.receive({ type: 'runAction', turnId: '1', index: 0 });
    assert.deepEqual(record.commands, ['grounded.setApiKey']);
  });

  it('restores a saved conversation on ready, marking an answer cut by a reload as interrupted', () => {
    const { ports, record } = spyPorts([]);
    const saved: SavedTurn[] = [
      { view: { id: '1', question: 'a', answer: 'done answer', sources: [], cited: [], status: 'done' }, passages: [] },
      { view: { id: '2', question: 'b', answer: 'half', sources: [], cited: [], status: 'streaming' }, passages: [] },
    ];
    const panel = new PanelController(ports, saved);
    panel.receive({ type: 'ready' });
    const restore = record.posted[0];
    assert.ok(restore?.type === 'restore');
    assert.deepEqual(
      restore.turns.map(t => [t.answer, t.status]),
      [
        ['done answer', 'done'],
        ['half', 'interrupted'],
      ],
    );
    assert.equal(record.model.calls.length, 0, 'nothing is asked again');
  });

  it('saves cited passages by id, path, range and a fingerprint, never their text', async () => {
    const { ports, record } = spyPorts([{ tokens: ['See [1].'] }]);
    await new PanelController(ports).ask('what is the level?');
    const saved = record.saved.at(-1) ?? [];
    const passages = saved[0]?.passages ?? [];
    assert.deepEqual(
      passages.map(p => [p.id, p.path, p.startLine, p.endLine, p.title]),
      [
        ['docs/file1.md:1-3', 'docs/file1.md', 1, 3, 'Title 1'],
        ['docs/file2.md:1-3', 'docs/file2.md', 1, 3, 'Title 2'],
      ],
    );
    assert.ok(passages.every(p => !('text' in p)));
    assert.doesNotMatch(JSON.stringify(saved), /flux is 88|passage 2 text/);
  });

  it('opens a restored turn’s citation at the lines where its text is now', async () => {
    const { ports, record } = spyPorts([{ tokens: ['See [1].'] }]);
    await new PanelController(ports).ask('what is the level?');
    const saved = structuredClone(record.saved.at(-1) ?? []);
    const turnId = saved[0]?.view.id ?? '';
    // after a reload only the saved state is left; the file has gained a line above the passage
    const found: (ReturnType<typeof locatePassage> | undefined)[] = [];
    const file = 'a new first line\nflux is 88\n';
    const openInFile = async (p: CitedPassage) => {
      found.push(locatePassage(file, p));
      return openedIn(file, p);
    };
    const restored = new PanelController({ ...ports, openPassage: openInFile }, saved);
    await Promise.all([
      restored.receive({ type: 'openCitation', turnId, n: 1 }),
      restored.receive({ type: 'openCitation', turnId, n: 2 }),
    ]);
    assert.deepEqual(found, [{ startLine: 2, endLine: 2, how: 'moved' }, undefined]);
    assert.deepEqual(restored.conversation[0]?.view.stale, [2], 'a passage whose text is gone is stale');
  });

  it('saves a conversation restored with passage text again without it', () => {
    const { ports, record } = spyPorts([]);
    const legacy: SavedTurn[] = [
      {
        view: { id: '1', question: 'a', answer: 'b [1]', sources: [], cited: [1], status: 'done' },
        passages: [passage(1, 'secret body')],
      },
    ];
    new PanelController(ports, legacy);
    assert.equal(record.saved.length, 1);
    assert.doesNotMatch(JSON.stringify(record.saved), /secret body/);
    assert.equal(record.saved[0]?.[0]?.passages[0]?.id, 'docs/file1.md:1-3');
  });

  it('shows who answered with the answer, and forgets it when the turn is asked again', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Flux is 88 [1].'] }]);
    const named: PanelPorts = {
      ...ports,
      ask: async function* (r) {
        for await (const e of ports.ask(r)) yield e.type === 'done' ? { ...e, model: 'GPT-4o (VS Code)' } : e;
      },
    };
    const panel = new PanelController(named);
    await panel.ask('flux?');
    const done = record.posted.at(-1);
    assert.ok(done?.type === 'done');
    assert.equal(done.model, 'GPT-4o (VS Code)');
    assert.equal(done.searchOnly, undefined);
    assert.equal(record.saved.at(-1)?.[0]?.view.model, 'GPT-4o (VS Code)');
    const turnId = done.turnId;
    await new PanelController({ ...ports }, panel.conversation).retry(turnId);
    const started = record.posted.filter(m => m.type === 'turnStarted').at(-1);
    assert.ok(started?.type === 'turnStarted');
    assert.equal(started.turn.model, undefined, 'a retried answer names its own model');
  });

  it('marks search results given for want of a model, and runs Select Model when asked to', async () => {
    const { ports, record } = spyPorts([]);
    const retriever = new FakeRetriever(() => [passage(1, 'flux is 88'), passage(2)]);
    const noModel = new PanelController({ ...ports, ask: r => ask(r, { retriever, clock: new FakeClock() }) });
    await noModel.ask('flux?');
    const done = record.posted.at(-1);
    assert.ok(done?.type === 'done');
    assert.equal(done.searchOnly, true);
    assert.equal(done.model, undefined);
    await noModel.receive({ type: 'selectModel' });
    assert.deepEqual(record.commands, ['grounded.selectModel']);
  });

  it('brings a conversation New Conversation cleared back with Undo, whole, until a new question is asked', async () => {
    const { ports, record } = spyPorts([{ tokens: ['Flux is 88 [1].'] }]);
    const panel = new PanelController(ports);
    await panel.ask('first?');
    await panel.ask('second?');
    panel.newConversation();
    assert.deepEqual(record.posted.at(-1), { type: 'cleared', undoable: true });
    assert.deepEqual(record.saved.at(-1), []);
    await panel.receive({ type: 'undoClear' });
    const restore = record.posted.at(-1);
    assert.ok(restore?.type === 'restore');
    assert.deepEqual(
      restore.turns.map(t => [t.question, t.answer]),
      [
        ['first?', 'Flux is 88 [1].'],
        ['second?', 'Flux is 88 [1].'],
      ],
    );
    assert.deepEqual(
      record.saved.at(-1)?.map(t => t.view.question),
      ['first?', 'second?'],
    );
    // a new question after clearing starts the new conversation: Undo has nothing to bring back
    panel.newConversation();
    await panel.ask('third?');
    const before = record.posted.length;
    await panel.receive({ type: 'undoClear' });
    assert.equal(record.posted.length, before);
    assert.deepEqual(
      panel.conversation.map(t => t.view.question),
      ['third?'],
    );
  });

  it('opens the web and e-mail links an answer holds, and no other kind', async () => {
    const { ports, record } = spyPorts([]);
    const panel = new PanelController(ports);
    const urls = [
      'https://example.com/flux?level=88',
      'HTTP://example.com/',
      'mailto:support@example.com',
      'command:workbench.action.terminal.new',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vscode://ms-vscode.remote-server/install',
      'mailto',
    ];
    for (const url of urls) await panel.receive({ type: 'openLink', url });
    assert.deepEqual(record.links, urls.slice(0, 3));
  });

  it('ignores an empty question', async () => {
    const { ports, record } = spyPorts([]);
    await new PanelController(ports).ask('   ');
    assert.deepEqual(record.posted, []);
  });
});
