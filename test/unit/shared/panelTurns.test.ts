import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import type { CitationView, TurnView } from '../../../src/shared/messages';
import {
  citedLinesOf,
  copyText,
  reduceTurn,
  splitSources,
  upgradeSavedView,
  withoutExcerpts,
  type TurnMessage,
} from '../../../src/shared/panelTurns';

const streaming = (): TurnView => ({
  id: 't',
  question: 'q',
  answer: '',
  sources: [],
  cited: [],
  citations: [],
  status: 'streaming',
});
const chip = (ordinal: number, over: Partial<CitationView> = {}): CitationView => ({
  ordinal,
  n: 1,
  path: 'a.md',
  startLine: 2,
  endLine: 2,
  claim: 'c',
  ...over,
});
const replay = (messages: TurnMessage[], from = streaming()) => messages.reduce(reduceTurn, from);

describe('a panel turn, message by message', () => {
  it('builds the answer from steps, sources, tokens and done, and forgets the step when done', () => {
    const sources = [{ n: 1, path: 'a.md', startLine: 1, endLine: 9 }];
    const turn = replay([
      { type: 'step', turnId: 't', detail: 'Searching' },
      { type: 'sources', turnId: 't', sources },
      { type: 'tokens', turnId: 't', text: 'Flux ' },
      { type: 'tokens', turnId: 't', text: 'is 88 [1].' },
    ]);
    assert.deepEqual(
      [turn.step, turn.answer, turn.sources, turn.status],
      ['Searching', 'Flux is 88 [1].', sources, 'streaming'],
    );
    const done = reduceTurn(turn, { type: 'done', turnId: 't', cited: [1] });
    assert.deepEqual([done.step, done.status, done.cited, done.answer], [undefined, 'done', [1], 'Flux is 88 [1].']);
  });

  it('keeps the partial answer on an error, with its status, message and fixes', () => {
    const turn = replay([
      { type: 'step', turnId: 't', detail: 'Writing' },
      { type: 'tokens', turnId: 't', text: 'Part' },
      {
        type: 'error',
        turnId: 't',
        status: 'interrupted',
        message: 'socket hang up',
        actionTitles: ['Open Setting', 'Show Log'],
      },
    ]);
    assert.deepEqual(
      [turn.answer, turn.status, turn.step, turn.error],
      ['Part', 'interrupted', undefined, { message: 'socket hang up', actionTitles: ['Open Setting', 'Show Log'] }],
    );
  });

  it('counts the sources an interrupted answer cited so far as cited, not as retrieved only', () => {
    const sources = [1, 2, 3].map(n => ({ n, path: `${n}.md`, startLine: 1, endLine: 9 }));
    const turn = replay([
      { type: 'sources', turnId: 't', sources },
      { type: 'citation', turnId: 't', citation: chip(0, { n: 2 }) },
      { type: 'tokens', turnId: 't', text: 'Flux [2]' },
      { type: 'citation', turnId: 't', citation: chip(1, { n: 1 }) },
      { type: 'citation', turnId: 't', citation: chip(2, { n: 2 }) },
      { type: 'tokens', turnId: 't', text: ' is 88 [1][2]' },
      { type: 'error', turnId: 't', status: 'interrupted', message: 'The answer was cut off.' },
    ]);
    assert.deepEqual(turn.cited, [2, 1]);
    const { cited, uncited } = splitSources(turn);
    assert.deepEqual([cited.map(s => s.n), uncited.map(s => s.n)], [[1, 2], [3]]);
  });

  it('keeps an error without fixes as its message alone', () => {
    const turn = replay([{ type: 'error', turnId: 't', status: 'stopped', message: 'Stopped.', actionTitles: [] }]);
    assert.deepEqual(turn.error, { message: 'Stopped.' });
  });

  it('restores a turn saved with one fix title as a turn with that one title, and others as they were', () => {
    const saved = { id: 't', question: 'q', answer: '', sources: [], cited: [], status: 'failed' as const };
    assert.deepEqual(upgradeSavedView({ ...saved, error: { message: 'No key.', actionTitle: 'Set API Key' } }), {
      ...saved,
      error: { message: 'No key.', actionTitles: ['Set API Key'] },
    });
    const current = { ...saved, error: { message: 'Refused.', actionTitles: ['Open Setting', 'Show Log'] } };
    assert.deepEqual(upgradeSavedView(current), current);
    assert.deepEqual(upgradeSavedView({ ...saved, error: { message: 'Oops.' } }), {
      ...saved,
      error: { message: 'Oops.' },
    });
    assert.deepEqual(upgradeSavedView({ ...saved, status: 'done' }), { ...saved, status: 'done' });
  });

  it('replaces a citation by ordinal and keeps them in ordinal order, whatever order they come in', () => {
    const turn = replay([
      { type: 'citation', turnId: 't', citation: chip(2) },
      { type: 'citation', turnId: 't', citation: chip(0, { support: 'supported' }) },
      { type: 'citation', turnId: 't', citation: chip(0, { support: 'unsupported' }) },
    ]);
    assert.deepEqual(
      turn.citations?.map(c => [c.ordinal, c.support]),
      [
        [0, 'unsupported'],
        [2, undefined],
      ],
    );
  });

  it('marks a source stale once, however often it is found stale', () => {
    const turn = replay([
      { type: 'citationStale', turnId: 't', n: 2 },
      { type: 'citationStale', turnId: 't', n: 2 },
      { type: 'citationStale', turnId: 't', n: 1 },
    ]);
    assert.deepEqual(turn.stale, [2, 1]);
  });

  it('no longer marks a source stale once its lines are found again', () => {
    const turn = replay([
      { type: 'citationStale', turnId: 't', n: 2 },
      { type: 'citationStale', turnId: 't', n: 1 },
      { type: 'citationStale', turnId: 't', n: 2, stale: false },
    ]);
    assert.deepEqual(turn.stale, [1]);
    assert.equal(replay([{ type: 'citationStale', turnId: 't', n: 1, stale: false }], turn).stale, undefined);
  });

  it('leaves the turn it was given as it was', () => {
    const before = streaming();
    const copy = structuredClone(before);
    replay(
      [
        { type: 'tokens', turnId: 't', text: 'x' },
        { type: 'citation', turnId: 't', citation: chip(0) },
        { type: 'citationStale', turnId: 't', n: 1 },
        { type: 'done', turnId: 't', cited: [1] },
      ],
      before,
    );
    assert.deepEqual(before, copy);
  });

  it('saves a turn without the excerpts of its citations, and one without citations as it is', () => {
    const turn = { ...streaming(), citations: [chip(0, { excerpt: 'secret line' })] };
    assert.deepEqual(withoutExcerpts(turn).citations, [chip(0)]);
    const old: TurnView = { id: 'o', question: 'q', answer: 'a', sources: [], cited: [], status: 'done' };
    assert.equal(withoutExcerpts(old), old);
  });

  it('keeps who answered and whether the answer is search results for want of a model', () => {
    const named = replay([{ type: 'done', turnId: 't', cited: [], model: 'GPT-4o (VS Code)' }]);
    assert.equal(named.model, 'GPT-4o (VS Code)');
    assert.equal(named.searchOnly, undefined);
    const searchOnly = replay([{ type: 'done', turnId: 't', cited: [1], searchOnly: true }]);
    assert.equal(searchOnly.searchOnly, true);
    assert.equal(searchOnly.model, undefined);
  });

  it('lists the cited sources apart from those retrieved but not cited, each in its order', () => {
    const source = (n: number) => ({ n, path: `f${n}.md`, startLine: 1, endLine: 2 });
    const sources = [1, 2, 3, 4].map(source);
    const split = splitSources({ sources, cited: [3, 1] });
    assert.deepEqual(
      split.cited.map(s => s.n),
      [1, 3],
    );
    assert.deepEqual(
      split.uncited.map(s => s.n),
      [2, 4],
    );
    assert.deepEqual(splitSources({ sources, cited: [] }).uncited, sources, 'an answer citing nothing cites none');
    assert.deepEqual(splitSources({ sources, cited: [9] }).cited, [], 'a number with no source lists nothing');
  });

  it('copies the answer with the sources it cites, in the order the panel lists them, so each pasted [n] still says where it comes from', () => {
    const view: TurnView = {
      id: 't',
      question: 'q',
      answer: 'Flux is 88 [2]. Doors open up [1][2].\n',
      sources: [
        { n: 1, path: 'docs/doors.md', startLine: 9, endLine: 9 },
        { n: 2, path: 'docs/flux.md', startLine: 40, endLine: 52 },
        { n: 3, path: 'docs/other.md', startLine: 1, endLine: 3 },
      ],
      cited: [2, 1],
      status: 'done',
    };
    assert.equal(
      copyText(view),
      'Flux is 88 [2]. Doors open up [1][2].\n\nSources:\n[1] docs/doors.md:9\n[2] docs/flux.md:40-52\n',
    );
    assert.equal(copyText({ ...view, cited: [] }), view.answer, 'an answer citing nothing is copied as it is');
  });

  it('copies the lines each cited source is cited for, each distinct range once, where the citations are known', () => {
    const cite = (ordinal: number, n: number, startLine: number, endLine: number): CitationView => ({
      ordinal,
      n,
      path: n === 1 ? 'docs/doors.md' : 'docs/flux.md',
      startLine,
      endLine,
      claim: 'c',
    });
    const view: TurnView = {
      id: 't',
      question: 'q',
      answer: 'Flux is 88 [2]. Doors open up [1]. Flux glows [2]. Flux again [2].\n',
      sources: [
        { n: 1, path: 'docs/doors.md', startLine: 1, endLine: 9 },
        { n: 2, path: 'docs/flux.md', startLine: 40, endLine: 52 },
      ],
      cited: [2, 1],
      status: 'done',
      citations: [cite(0, 2, 44, 46), cite(1, 1, 3, 3), cite(2, 2, 50, 50), cite(3, 2, 44, 46)],
    };
    assert.equal(copyText(view), `${view.answer}\nSources:\n[1] docs/doors.md:3\n[2] docs/flux.md:44-46, 50\n`);
  });

  it('copies and lists cited lines found again in another notebook cell with that cell, not the source’s', () => {
    const cite = (ordinal: number, path: string, startLine: number): CitationView => ({
      ordinal,
      n: 1,
      path,
      startLine,
      endLine: startLine + 1,
      claim: 'c',
    });
    // the notebook changed: the lines ordinal 1 cites were found again in cell 3, at the numbers ordinal 0 cites in 2
    const citations = [cite(0, 'nb.ipynb#cell=2', 1), cite(1, 'nb.ipynb#cell=3', 1), cite(2, 'nb.ipynb#cell=2', 4)];
    const view: TurnView = {
      id: 't',
      question: 'q',
      answer: 'Flux is 88 [1]. It glows [1]. It hums [1].',
      sources: [{ n: 1, path: 'nb.ipynb#cell=2', startLine: 1, endLine: 6 }],
      cited: [1],
      status: 'done',
      citations,
    };
    assert.deepEqual(
      citedLinesOf(view, 1).map(l => `${l.path}:${l.startLine}`),
      ['nb.ipynb#cell=2:1', 'nb.ipynb#cell=3:1', 'nb.ipynb#cell=2:4'],
    );
    assert.equal(copyText(view), `${view.answer}\n\nSources:\n[1] nb.ipynb#cell=2:1-2, 4-5, nb.ipynb#cell=3:1-2\n`);
  });

  it('lists each cited range of a source once, opened as its first citation, with the verdicts of all that cite it', () => {
    const cite = (
      ordinal: number,
      startLine: number,
      support?: CitationView['support'],
      stale?: true,
    ): CitationView => ({
      ordinal,
      n: 1,
      path: 'a.md',
      startLine,
      endLine: startLine + 1,
      claim: 'c',
      ...(support ? { support } : {}),
      ...(stale ? { stale } : {}),
    });
    const citations = [
      cite(0, 5, 'supported'),
      cite(1, 9, 'unsupported'),
      cite(2, 5, 'partial'),
      cite(3, 12, undefined, true),
      { ...cite(4, 5), n: 2 },
    ];
    assert.deepEqual(citedLinesOf({ citations }, 1), [
      {
        path: 'a.md',
        startLine: 5,
        endLine: 6,
        ordinal: 0,
        verdict: 'partly supported for 1 of 2 claims',
        stale: false,
      },
      { path: 'a.md', startLine: 9, endLine: 10, ordinal: 1, verdict: 'not in the source', stale: false },
      { path: 'a.md', startLine: 12, endLine: 13, ordinal: 3, verdict: '', stale: true },
    ]);
    assert.deepEqual(citedLinesOf({}, 1), [], 'a turn saved before citations were kept lists none');
  });

  it('copies an answer without the numbers that name no source, as the panel shows it', () => {
    const view: TurnView = {
      id: 't',
      question: 'q',
      answer: 'Flux is 88 [1, 7][9]. Use `a[9]`.\n',
      sources: [{ n: 1, path: 'docs/flux.md', startLine: 40, endLine: 52 }],
      cited: [1],
      status: 'done',
    };
    assert.equal(copyText(view), 'Flux is 88 [1]. Use `a[9]`.\n\nSources:\n[1] docs/flux.md:40-52\n');
  });

  it('closes a code block the cut-off answer left open before the sources, in its list item or block quote', () => {
    const cut = (answer: string): TurnView => ({
      id: 't',
      question: 'q',
      answer,
      sources: [{ n: 1, path: 'docs/flux.md', startLine: 40, endLine: 52 }],
      cited: [1],
      status: 'interrupted',
    });
    const sources = '\n\nSources:\n[1] docs/flux.md:40-52\n';
    const inItem = 'Set it [1]:\n\n1. In the file:\n\n   ```ts\n   flux = 88;\n   more();\n';
    assert.equal(copyText(cut(inItem)), `${inItem}   \`\`\`${sources}`);
    const html = new MarkdownIt().render(copyText(cut(inItem)));
    assert.match(html, /<pre><code class="language-ts">flux = 88;\nmore\(\);\n<\/code><\/pre>/);
    assert.match(html, /<\/ol>\n<p>Sources:\n\[1\] docs\/flux.md:40-52<\/p>\n$/);
    const inQuote = 'Set it [1]:\n\n> ````\n> flux = 88;';
    assert.equal(copyText(cut(inQuote)), `${inQuote}\n> \`\`\`\`${sources}`);
    const closed = 'Set it [1]:\n\n```\nflux = 88;\n```\n';
    assert.equal(copyText(cut(closed)), `${closed.trimEnd()}${sources}`, 'a closed block is left as it is');
  });

  it('copies a citation the check moved with the number of the source it now names, as its chip shows it', () => {
    const sources = [
      { n: 1, path: 'docs/power.md', startLine: 1, endLine: 3 },
      { n: 2, path: 'docs/weather.md', startLine: 1, endLine: 3 },
      { n: 3, path: 'docs/notes.md', startLine: 1, endLine: 9 },
    ];
    const view: TurnView = {
      id: 't',
      question: 'q',
      // the model wrote [2] for the power claim and [1, 3] for the winter one; the check moved [2] to source 1 and
      // the 1 of [1, 3] to source 2
      answer: 'Flux needs 1.21 GW [2]. Winter is cold [1, 3]. Summer is warm [2].\n',
      sources,
      cited: [1, 2, 3],
      citations: [
        chip(0, { n: 1, movedFrom: 2, path: 'docs/power.md', startLine: 3, endLine: 3 }),
        chip(1, { n: 2, movedFrom: 1, path: 'docs/weather.md', startLine: 3, endLine: 3 }),
        chip(2, { n: 3, path: 'docs/notes.md', startLine: 4, endLine: 4 }),
        chip(3, { n: 2, path: 'docs/weather.md', startLine: 3, endLine: 3 }),
      ],
      status: 'done',
    };
    assert.equal(
      copyText(view),
      'Flux needs 1.21 GW [1]. Winter is cold [2, 3]. Summer is warm [2].\n\nSources:\n' +
        '[1] docs/power.md:3\n[2] docs/weather.md:3\n[3] docs/notes.md:4\n',
    );
  });
});
