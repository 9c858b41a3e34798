import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { ask } from '../../../src/core/ask';
import { EndpointRequestError, GroundedError, SELECT_MODEL, type ErrorAction } from '../../../src/core/errors';
import type { AnswerEvent, Citation } from '../../../src/core/events';
import type { Passage } from '../../../src/core/passage';
import {
  chatModelAdvice,
  movedNote,
  OPEN_PANEL,
  renderToChat,
  PARTIAL_NOTE,
  RETRY,
  UNSUPPORTED_NOTE,
  type ChatSink,
} from '../../../src/vscode/chatRender';
import type { CitedRange } from '../../../src/vscode/sourcesMarkdown';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { ScriptedChatModel, type Script } from '../../fakes/scriptedChatModel';

/** Records every call the renderer makes on the chat response stream, in order. */
class SpyChatSink implements ChatSink {
  readonly calls: string[] = [];
  progress(text: string) {
    this.calls.push(`progress:${text}`);
  }
  markdown(text: string) {
    this.calls.push(`markdown:${text}`);
  }
  anchor(n: number, p: Passage) {
    this.calls.push(`anchor:${n}:${p.path}:${p.startLine}-${p.endLine}`);
  }
  reference(p: Passage) {
    this.calls.push(`reference:${p.path}:${p.startLine}-${p.endLine}`);
  }
  citedRanges(ranges: CitedRange[]) {
    const entry = ({ span: p, verdict }: CitedRange) =>
      `${p.path}:${p.startLine}-${p.endLine}${verdict ? ` (${verdict})` : ''}`;
    this.calls.push(`cited:${ranges.map(entry).join(' ')}`);
  }
  button(a: ErrorAction) {
    this.calls.push(`button:${a.command}`);
  }
  /** The markdown and anchor calls: the answer as written. */
  get written() {
    return this.calls.filter(c => c.startsWith('anchor:') || c.startsWith('markdown:'));
  }
  get markdownText() {
    return this.calls
      .filter(c => c.startsWith('markdown:'))
      .map(c => c.slice(9))
      .join('');
  }
}

const retriever = new FakeRetriever(() => [
  passage(1, 'The car has wheels.\nFlux is 88.\nThe doors open upwards.'),
  passage(2, 'Rotation is daily.\nLogs go to /var/log.\nOld files are deleted.'),
]);
const grader = (generate: Script) =>
  new ScriptedChatModel(call => (call.system.startsWith('You grade') ? { reply: '{"relevant":[1,2]}' } : generate));

/** The calls `events` rendered to chat make. */
async function rendered(events: AsyncIterable<AnswerEvent>): Promise<SpyChatSink> {
  const sink = new SpyChatSink();
  await renderToChat(events, sink);
  return sink;
}

async function render(generate: Script) {
  const sink = new SpyChatSink();
  const outcome = await renderToChat(
    ask({ question: 'flux?' }, { retriever, model: grader(generate), clock: new FakeClock() }),
    sink,
  );
  return { sink, outcome };
}

describe('chat rendering', () => {
  it('leaves out an invented number with the space before it, not a doubled space or a space before punctuation', async () => {
    const { sink } = await render({ tokens: ['Flux is 88 [', '7', ']. Logs ', '[9] [2', '] rotate', ' [8]', '.'] });
    assert.deepEqual(
      sink.calls.filter(c => c.startsWith('anchor:') || c.startsWith('markdown:')),
      [
        'markdown:Flux is 88',
        'markdown:. Logs',
        'markdown: ',
        'anchor:2:docs/file2.md:2-2',
        'markdown: rotate',
        'markdown:.',
      ],
    );
  });

  it('anchors a marker written before its claim to the lines its sentence says, not to the whole passage', async () => {
    const { sink } = await render({ tokens: ['According to [', '1], the', ' flux is', ' 88. Done.'] });
    const written = sink.calls.filter(c => c.startsWith('anchor:') || c.startsWith('markdown:'));
    assert.deepEqual(written.slice(0, 3), ['markdown:According to', 'markdown: ', 'anchor:1:docs/file1.md:2-2']);
    assert.equal(sink.markdownText, 'According to , the flux is 88. Done.');
  });

  it('anchors a marker after words that name its source, then a comma, to the lines the rest of its sentence says', async () => {
    const { sink } = await render({ tokens: ['As the README explains [', '1]', ', the', ' flux is', ' 88. Done.'] });
    const written = sink.calls.filter(c => c.startsWith('anchor:') || c.startsWith('markdown:'));
    assert.deepEqual(written.slice(0, 3), [
      'markdown:As the README explains',
      'markdown: ',
      'anchor:1:docs/file1.md:2-2',
    ]);
    assert.equal(sink.markdownText, 'As the README explains , the flux is 88. Done.');
  });

  it('reads `[text][1]` as the text `[text]` and an anchor, with or without a later `[1]: url` definition', async () => {
    const text = 'The flux is [high][1]. Logs go to [the log folder][2].';
    for (const definitions of ['', '\n\n[1]: https://x.org/flux\n[2]: https://x.org/logs']) {
      const { sink } = await render({ tokens: [text, definitions] });
      const written = sink.written;
      assert.deepEqual(written.slice(0, 2), ['markdown:The flux is [high]', 'anchor:1:docs/file1.md:2-2']);
      assert.deepEqual(
        written.filter(c => c.startsWith('anchor:')),
        ['anchor:1:docs/file1.md:2-2', 'anchor:2:docs/file2.md:2-2'],
      );
      assert.equal(sink.markdownText, `The flux is [high]. Logs go to [the log folder].${definitions}`);
    }
  });

  it('streams markdown, turns a [n] split across tokens into one anchor, and lists cited sources', async () => {
    const { sink, outcome } = await render({ tokens: ['Flux is 88 [', '1', '] and logs [2', '][7].'] });
    assert.deepEqual(
      sink.calls.filter(c => !c.startsWith('progress:')),
      [
        'markdown:Flux is 88',
        'markdown: ',
        'anchor:1:docs/file1.md:2-2',
        'markdown: and logs',
        'markdown: ',
        'anchor:2:docs/file2.md:2-2',
        'markdown:.',
        'cited:docs/file1.md:2-2 docs/file2.md:2-2',
      ],
    );
    assert.ok(sink.calls[0]?.startsWith('progress:Searching the workspace'));
    assert.equal(outcome.cited, 2);
    assert.equal(outcome.error, undefined);
  });

  it('keeps the partial answer, marks it interrupted and offers Retry when the stream breaks', async () => {
    const { sink, outcome } = await render({
      tokens: ['Flux ', 'is ', '88 [1]', ' more'],
      failAfter: { tokens: 3, error: new Error('socket hang up') },
    });
    assert.equal(sink.markdownText, 'Flux is 88 \n\n*— answer interrupted —*');
    assert.ok(sink.calls.includes('anchor:1:docs/file1.md:2-2'));
    // what it cited so far is listed under it, as links that find the lines again once the file changed
    assert.deepEqual(
      sink.calls.filter(c => c.startsWith('cited:')),
      ['cited:docs/file1.md:2-2'],
    );
    assert.ok(
      sink.calls.indexOf('cited:docs/file1.md:2-2') > sink.calls.indexOf('markdown:\n\n*— answer interrupted —*'),
    );
    assert.deepEqual(
      sink.calls.filter(c => c.startsWith('button:')),
      ['button:grounded.showLog', 'button:grounded.retry'],
    );
    assert.equal(outcome.error?.kind, 'stream-broken');
    assert.equal(outcome.answer, 'Flux is 88 [1]');
  });

  it('closes the code block a broken stream left open, so the interrupted note is not shown as code', async () => {
    const { sink } = await render({
      tokens: ['Set it:\n\n', '1. In the file:\n\n   ```ts\n', '   flux = 88;\n', '   more();'],
      failAfter: { tokens: 3, error: new Error('socket hang up') },
    });
    const html = new MarkdownIt().render(sink.markdownText);
    assert.match(html, /<pre><code class="language-ts">flux = 88;\n<\/code><\/pre>/);
    assert.match(html, /<\/ol>\n<p><em>— answer interrupted —<\/em><\/p>\n$/);
  });

  it('marks a claim whose cited lines do not say it, and lists each cited range once', async () => {
    const { sink } = await render({ tokens: ['Flux is 88 [1]. The moon is made of cheese [1]. Flux is 88 [1].'] });
    const calls = sink.calls.filter(c => !c.startsWith('progress:'));
    assert.deepEqual(calls, [
      'markdown:Flux is 88',
      'markdown: ',
      'anchor:1:docs/file1.md:2-2',
      'markdown:. The moon is made of cheese',
      'markdown: ',
      'anchor:1:docs/file1.md:1-1',
      `markdown:${UNSUPPORTED_NOTE}`,
      'markdown:. Flux is 88',
      'markdown: ',
      'anchor:1:docs/file1.md:2-2',
      'markdown:.',
      'cited:docs/file1.md:2-2 docs/file1.md:1-1 (not in the source)',
    ]);
  });

  // a one-source answer whose citations are sent by marker (ordinal), and a done event that adds none
  const source = passage(1, 'The car has wheels.');
  const citation = (ordinal: number, n: number, support: Citation['support']): AnswerEvent => ({
    type: 'citation',
    citation: { n, ordinal, passage: source, claim: 'c', startLine: 1, endLine: 1, support },
  });
  const doneWithout: AnswerEvent = {
    type: 'done',
    answer: '',
    citations: [],
    usage: { modelCalls: 1, retries: 0, rewrites: 0, fallback: false },
    mode: 'answer',
  };
  /** A claim citing [1] (judged partial) in `tokens`, then its second marker, [2], opening `rest`. */
  async function* secondMarkerAfter(tokens: string[], rest: string): AsyncGenerator<AnswerEvent> {
    yield { type: 'sources', sources: [source, passage(2, 'Wheels.')] };
    yield citation(0, 1, 'partial');
    for (const text of tokens) yield { type: 'token', text };
    // the claim's second marker: the first one is judged again, with the source it is cited with
    yield citation(0, 1, 'supported');
    yield citation(1, 2, 'supported');
    yield { type: 'token', text: rest };
    yield doneWithout;
  }

  it("writes a claim's markers once the claim cites no more, with the verdicts its last marker left", async () => {
    const sink = await rendered(secondMarkerAfter(['The car has wheels [1]'], '[2]. Done'));
    assert.deepEqual(sink.written, [
      'markdown:The car has wheels',
      'markdown: ',
      'anchor:1:docs/file1.md:1-1',
      'anchor:2:docs/file1.md:1-1',
      'markdown:. Done',
    ]);
  });

  it('holds a marker through an aside that only points at the source, as the core reads `[1] (see [2])`', async () => {
    // the aside arrives a few letters at a time: "(s" may still become "(see"
    const sink = await rendered(secondMarkerAfter(['The car has wheels [1] (s', 'ee', ' '], '[2]). Done'));
    const written = sink.written;
    assert.ok(!written.includes(`markdown:${PARTIAL_NOTE}`), written.join('\n'));
    assert.deepEqual(written.slice(0, 3), ['markdown:The car has wheels', 'markdown: ', 'anchor:1:docs/file1.md:1-1']);
    assert.equal(sink.markdownText, 'The car has wheels  (see ). Done');
  });

  it('holds a marker through a word that joins it to the next, as the core reads `[1] and [2]`', async () => {
    // "an" may still become "and"
    const sink = await rendered(secondMarkerAfter(['The car has wheels [1] an', 'd '], '[2]. Done'));
    const written = sink.written;
    assert.ok(!written.includes(`markdown:${PARTIAL_NOTE}`), written.join('\n'));
    assert.equal(sink.markdownText, 'The car has wheels  and . Done');
  });

  it('writes what it holds when the answer pauses for the model check, with the verdicts known then', async () => {
    const source = passage(1, 'The car has wheels.');
    async function* events(): AsyncGenerator<AnswerEvent> {
      yield { type: 'sources', sources: [source] };
      const cited = { n: 1, ordinal: 0, passage: source, claim: 'c', startLine: 1, endLine: 1 };
      yield { type: 'citation', citation: { ...cited, support: 'partial' } };
      yield { type: 'token', text: 'The car has wheels [1]' };
      yield { type: 'step', name: 'generate', detail: 'Checking 1 citation with the model' };
      yield { type: 'citation', citation: { ...cited, support: 'supported' } };
      const usage = { modelCalls: 2, retries: 0, rewrites: 0, fallback: false };
      yield { type: 'done', answer: '', citations: [], usage, mode: 'answer' };
    }
    const sink = await rendered(events());
    assert.deepEqual(sink.calls.slice(0, 5), [
      'markdown:The car has wheels',
      'markdown: ',
      'anchor:1:docs/file1.md:1-1',
      `markdown:${PARTIAL_NOTE}`,
      'progress:Checking 1 citation with the model',
    ]);
  });

  it("lists the model check's final verdicts beside the cited ranges, after anchors written before it", async () => {
    const source = passage(1, 'The car has wheels.\nThe doors open upwards.');
    const cite = (ordinal: number, startLine: number, support: Citation['support']): Citation => ({
      n: 1,
      ordinal,
      passage: source,
      claim: 'c',
      startLine,
      endLine: startLine,
      support,
    });
    const final = [
      cite(0, 1, 'unsupported'),
      cite(1, 2, 'partial'),
      cite(2, 2, 'supported'),
      cite(3, 1, 'unsupported'),
    ];
    async function* events(): AsyncGenerator<AnswerEvent> {
      yield { type: 'sources', sources: [source] };
      yield { type: 'citation', citation: cite(0, 1, 'supported') };
      yield { type: 'token', text: 'Wheels [1]. Doors [1]. Up [1]. Four [1].' };
      yield { type: 'step', name: 'generate', detail: 'Checking 4 citations with the model' };
      for (const citation of final) yield { type: 'citation', citation };
      const usage = { modelCalls: 2, retries: 0, rewrites: 0, fallback: false };
      yield { type: 'done', answer: '', citations: final, usage, mode: 'answer' };
    }
    const sink = await rendered(events());
    assert.equal(
      sink.calls.at(-1),
      'cited:docs/file1.md:1-1 (not in the source) docs/file1.md:2-2 (partly supported for 1 of 2 claims)',
    );
  });

  it('marks a claim whose cited lines say only part of it', async () => {
    const { sink } = await render({ tokens: ['The car flies on plutonium [1].'] });
    assert.deepEqual(sink.written, [
      'markdown:The car flies on plutonium',
      'markdown: ',
      'anchor:1:docs/file1.md:1-1',
      `markdown:${PARTIAL_NOTE}`,
      'markdown:.',
    ]);
  });

  it('says after an anchor that the check moved it from the source the model cited, as the panel and CLI do', async () => {
    // the lines that say the claim are in source 1: the [2] written beside [1] moves there
    const { sink } = await render({
      tokens: ['Flux is 88 [1, 2].\n\n[2]: https://example.org/logs'],
    });
    assert.deepEqual(sink.written.slice(0, 5), [
      'markdown:Flux is 88',
      'markdown: ',
      'anchor:1:docs/file1.md:2-2',
      'anchor:1:docs/file1.md:2-2',
      `markdown:${movedNote(2)}`,
    ]);
    // chat joins the markdown into one: the note names the number as text, not as a link to the answer's `[2]: url`
    const html = new MarkdownIt().render(sink.markdownText);
    assert.match(html, /<em>\(moved from \[2\]\)<\/em>/);
  });

  it('shows a `/search` query and a heading holding `[n]` as written, with no anchor in them', async () => {
    const sink = new SpyChatSink();
    const headed = new FakeRetriever(() => [
      { ...passage(1, '## Option [2]\nThe arr[1] value is set here.'), title: 'Guide > Option [2]' },
      passage(2, 'arr[1] again.'),
    ]);
    await renderToChat(ask({ question: 'arr[1]', mode: 'search' }, { retriever: headed }), sink);
    assert.deepEqual(
      sink.calls.filter(c => c.startsWith('anchor:')),
      [],
    );
    const html = new MarkdownIt().render(sink.markdownText);
    assert.match(html, /Search results for “arr\[1\]”/);
    assert.match(html, /<code>docs\/file1\.md:1-3<\/code> · Option \[2\]/);
    assert.ok(sink.calls.includes('cited:docs/file1.md:2-2 docs/file2.md:1-1'), sink.calls.join('\n'));
  });

  it('lists the passages an answer was written from as references when it cites none', async () => {
    const { sink } = await render({ tokens: ['Flux is 88.'] });
    assert.deepEqual(
      sink.calls.filter(c => c.startsWith('reference:') || c.startsWith('cited:')),
      ['reference:docs/file1.md:1-3', 'reference:docs/file2.md:1-3'],
    );
  });

  it('offers the fixes of a refused connection as buttons: Open Setting on the base URL, Show Log, then Retry', async () => {
    const refused = new EndpointRequestError(
      'http://127.0.0.1:8000',
      'grounded.model.baseUrl',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    );
    const buttons: ErrorAction[] = [];
    const sink = Object.assign(new SpyChatSink(), { button: (a: ErrorAction) => buttons.push(a) });
    const outcome = await renderToChat(
      ask(
        { question: 'flux?' },
        {
          retriever,
          model: grader({ failBefore: refused }),
          clock: new FakeClock(),
          options: { retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 } },
        },
      ),
      sink,
    );
    assert.equal(outcome.error?.kind, 'network');
    assert.match(
      outcome.error?.message ?? '',
      /http:\/\/127\.0\.0\.1:8000: the connection was refused \(ECONNREFUSED\)/,
    );
    assert.deepEqual(buttons, [
      { title: 'Open Setting', command: 'workbench.action.openSettings', arguments: ['grounded.model.baseUrl'] },
      { title: 'Show Log', command: 'grounded.showLog' },
      RETRY,
    ]);
  });

  it('offers no Retry for a question that is not valid', async () => {
    const sink = new SpyChatSink();
    const outcome = await renderToChat(ask({ question: '' }, { retriever }), sink);
    assert.deepEqual(sink.calls, []);
    assert.equal(outcome.error?.kind, 'bad-input');
  });
});

describe('what chat says about its model', () => {
  it('explains, before asking, that chat needs a VS Code chat model, and points to the panel and Select Model', () => {
    const advice = chatModelAdvice({ provider: 'vscode', mode: 'answer', hasChatModel: false });
    assert.match(advice?.markdown ?? '', /^\*\*@grounded in chat needs a VS Code chat model\*\*/);
    assert.match(advice?.markdown ?? '', /Grounded panel/);
    assert.deepEqual(advice?.buttons, [OPEN_PANEL, SELECT_MODEL]);
  });

  it('explains it after a missing or refused chat model, with the panel beside the error’s own buttons', () => {
    const error = new GroundedError('no-model', 'The model “X” is no longer available. Pick another model.');
    const advice = chatModelAdvice({ provider: 'vscode', mode: 'answer', hasChatModel: true, error });
    assert.deepEqual(advice?.buttons, [OPEN_PANEL]);
  });

  it('says nothing when an OpenAI-compatible endpoint answers, when a model is there, or for other errors', () => {
    const noModel = new GroundedError('no-model', 'needs grounded.model.baseUrl');
    assert.equal(chatModelAdvice({ provider: 'openai-compatible', mode: 'answer', hasChatModel: false }), undefined);
    assert.equal(
      chatModelAdvice({ provider: 'openai-compatible', mode: 'answer', hasChatModel: true, error: noModel }),
      undefined,
    );
    assert.equal(chatModelAdvice({ provider: 'vscode', mode: 'answer', hasChatModel: true }), undefined);
    const network = new GroundedError('network', 'lost');
    assert.equal(
      chatModelAdvice({ provider: 'vscode', mode: 'answer', hasChatModel: true, error: network }),
      undefined,
    );
  });
});
