import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { ask } from '../../../src/core/ask';
import { GroundedError } from '../../../src/core/errors';
import type { AnswerEvent, AskRequest } from '../../../src/core/events';
import type * as ChatParticipantModule from '../../../src/vscode/chatParticipant';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import {
  FakeChatRequestTurn,
  FakeChatResponseStream,
  FakeChatResponseTurn,
  FakeChatUri,
  FakeLocation,
  fakeVscodeChat,
  NEVER_CANCELLED,
} from '../../fakes/fakeVscodeChat';
import { requireWithVscode } from '../../fakes/fakeVscodeWorkspace';
import { ScriptedChatModel, type Script } from '../../fakes/scriptedChatModel';

const retriever = new FakeRetriever(() => [
  passage(1, 'The car has wheels.\nFlux is 88.\nThe doors open upwards.'),
  passage(2, 'Rotation is daily.\nLogs go to /var/log.\nOld files are deleted.'),
]);

type Handler = (request: unknown, context: unknown, stream: unknown, token: unknown) => Promise<{ metadata?: unknown }>;
type Followups = { provideFollowups(result: unknown): { prompt: string; command?: string; label?: string }[] };

/** The @grounded participant over `answer` (the ask service's events for each request), in a fake VS Code. */
function participant(answer: (request: AskRequest) => AsyncIterable<AnswerEvent>) {
  const fake = fakeVscodeChat();
  const chat = requireWithVscode<typeof ChatParticipantModule>(
    require.resolve('../../../src/vscode/chatParticipant'),
    fake.vscode,
  );
  chat.registerChatParticipant({ ask: request => answer(request), indexReport: () => Promise.reject(new Error('no')) });
  const registered = fake.participants.get(chat.PARTICIPANT_ID);
  assert.ok(registered);
  const handler = registered.handler as Handler;
  return {
    fake,
    /**
     * Asks `prompt` (with `/command`) after the conversation's earlier turns, as the chat view sends it: the
     * response's parts and its follow-ups.
     */
    async ask(
      prompt: string,
      command?: string,
      history: readonly unknown[] = [],
      {
        model = {},
        references = [],
        token = NEVER_CANCELLED,
      }: { model?: unknown; references?: readonly unknown[]; token?: unknown } = {},
    ) {
      const stream = new FakeChatResponseStream();
      const request = { prompt, command, references, model };
      const result = await handler(request, { history }, stream, token);
      const followups = (registered.followupProvider as Followups).provideFollowups(result);
      return { stream, result, followups };
    },
  };
}

/** The real core over the fake workspace, its generator following `generate`. */
const core = (generate: Script) => (request: AskRequest) =>
  ask(request, {
    retriever,
    model: new ScriptedChatModel(call =>
      call.system.startsWith('You grade') ? { reply: '{"relevant":[1,2]}' } : generate,
    ),
    clock: new FakeClock(),
  });

describe('the chat participant', () => {
  describe('follow-ups', () => {
    it('offers the matching passages after an answer that failed, with the question it asked', async () => {
      const chat = participant(core({ failBefore: new GroundedError('auth', 'The key was rejected.') }));
      const { followups } = await chat.ask('where do logs go?');
      assert.deepEqual(
        followups.map(f => [f.command, f.prompt]),
        [['search', 'where do logs go?']],
      );
    });

    it('offers the matching passages when the chat view sends no model, and keeps the question unanswered', async () => {
      const asked: AskRequest[] = [];
      const chat = participant(request => {
        asked.push(request);
        return core({ tokens: ['Flux is 88 [1].'] })(request);
      });
      const { stream, result, followups } = await chat.ask('where do logs go?', undefined, [], { model: null });
      assert.deepEqual(asked, []);
      assert.match(stream.text, /needs a VS Code chat model/);
      assert.deepEqual(result.metadata, {
        question: 'where do logs go?',
        mode: 'answer',
        cited: 0,
        failed: true,
        answer: '',
      });
      assert.deepEqual(
        followups.map(f => [f.command, f.prompt]),
        [['search', 'where do logs go?']],
      );
    });

    it('offers no /search after a /search that failed: it would fail the same way', async () => {
      const chat = participant(async function* () {
        yield { type: 'error', error: new GroundedError('index', 'Reading the index failed.'), partial: '' };
      });
      const { result, followups } = await chat.ask('logs', 'search');
      assert.equal((result.metadata as { mode: string }).mode, 'search');
      assert.deepEqual(followups, []);
    });

    it('offers no /search for a question no search takes: empty, or longer than the limit', async () => {
      const chat = participant(core({ tokens: ['Flux is 88 [1].'] }));
      for (const question of ['   ', 'flux '.repeat(4000)]) {
        const { result, followups } = await chat.ask(question);
        assert.equal((result.metadata as { failed: boolean }).failed, true);
        assert.deepEqual(
          followups.filter(f => f.command === 'search'),
          [],
        );
      }
    });
  });

  describe('empty input and cancels', () => {
    it('/search with no words says what to type, and searches nothing', async () => {
      const asked: AskRequest[] = [];
      const chat = participant(async function* (request) {
        asked.push(request);
        yield* core({ tokens: ['unused'] })(request);
      });
      for (const prompt of ['', '   ']) {
        const { stream, result, followups } = await chat.ask(prompt, 'search');
        assert.match(stream.text, /Type what to search for after `\/search`/);
        assert.equal((result.metadata as { mode: string }).mode, 'search');
        assert.deepEqual(followups, []);
      }
      assert.deepEqual(asked, []);
    });

    it('asks with an aborted signal when the request was cancelled before it began', async () => {
      const signals: (AbortSignal | undefined)[] = [];
      const chat = participant(async function* (request) {
        signals.push(request.signal);
        yield { type: 'error', error: new GroundedError('cancelled', 'Cancelled.'), partial: '' };
      });
      const cancelledToken = { isCancellationRequested: true, onCancellationRequested: () => ({ dispose: () => {} }) };
      await chat.ask('where do logs go?', undefined, [], { token: cancelledToken });
      assert.equal(signals.length, 1);
      assert.equal(signals[0]?.aborted, true);
    });
  });

  describe('references', () => {
    it('/search searches the words typed, not the text of a #file or #selection reference', async () => {
      const asked: AskRequest[] = [];
      const chat = participant(request => {
        asked.push(request);
        return core({ tokens: [] })(request);
      });
      const prompt = '#file:notes.md where do logs go? #selection';
      const references = [
        { id: 'vscode.file', range: [0, 14], value: {} },
        { id: 'vscode.selection', range: [33, 43], value: {} },
      ];
      const { result } = await chat.ask(prompt, 'search', [], { references });
      assert.equal(asked[0]?.question, 'where do logs go?');
      assert.equal(asked[0]?.mode, 'search');
      assert.equal(asked[0]?.context, undefined);
      assert.equal((result.metadata as { question: string }).question, 'where do logs go?');
    });

    it('offers the /search of the words of an answered question, without its references', async () => {
      const chat = participant(core({ tokens: ['Logs go to /var/log [2].'] }));
      const references = [{ id: 'vscode.file', range: [18, 32], value: {} }];
      const { followups } = await chat.ask('where do logs go? #file:notes.md', undefined, [], { references });
      assert.deepEqual(
        followups.map(f => [f.command, f.prompt]),
        [['search', 'where do logs go?']],
      );
    });
  });

  describe('anchors', () => {
    it('titles an anchor with the lines its claim cites: one line as path:N, more as path:N-M', async () => {
      const chat = participant(
        core({ tokens: ['Logs go to /var/log [2]. Logs in /var/log are rotated as old files are deleted [2].'] }),
      );
      const { stream } = await chat.ask('where do logs go?');
      assert.deepEqual(
        stream.parts.flatMap(p => (p.kind === 'anchor' ? [p.title] : [])),
        ['[2] docs/file2.md:2', '[2] docs/file2.md:2-3'],
      );
    });
  });

  describe('Retry', () => {
    let workspace: string;
    before(() => {
      workspace = realpathSync(mkdtempSync(join(tmpdir(), 'grounded-chat-retry-')));
      // a backtick in the file's name, which the line naming it must show as written
      writeFileSync(join(workspace, 'a`.md'), 'x');
    });
    after(() => rmSync(workspace, { recursive: true, force: true }));

    it('asks the same question about the lines the first asking had, not the selection as it is now', async () => {
      const asked: AskRequest[] = [];
      const chat = participant(request => {
        asked.push(request);
        return core({ failBefore: new GroundedError('network', 'The endpoint did not answer.') })(request);
      });
      // the file as the editor has it: its first line changes after the first asking
      let text = 'Flux is 88.\nThe doors open upwards.';
      const line = (n: number) => ({ line: n, character: 0 });
      Object.assign(chat.fake.vscode.workspace, {
        workspaceFolders: [{ uri: FakeChatUri.file(workspace), name: 'ws', index: 0 }],
        openTextDocument: async (uri: FakeChatUri) => ({
          uri,
          lineCount: text.split('\n').length,
          lineAt: (n: number) => ({ range: { end: { line: n, character: text.split('\n')[n]?.length ?? 0 } } }),
          getText: (r: { start: { line: number }; end: { line: number } }) =>
            text
              .split('\n')
              .slice(r.start.line, r.end.line)
              .map(l => `${l}\n`)
              .join(''),
        }),
      });
      const opened: string[] = [];
      chat.fake.vscode.commands.registerCommand('workbench.action.chat.open', (options: unknown) => {
        opened.push((options as { query: string }).query);
      });
      const selection = {
        id: 'vscode.selection',
        range: [14, 24],
        value: new FakeLocation(FakeChatUri.file(join(workspace, 'a`.md')), { start: line(0), end: line(1) } as never),
      };
      const first = await chat.ask('what is flux? #selection', undefined, [], { references: [selection] });
      assert.equal(asked[0]?.context?.text, 'Flux is 88.\n');
      const retry = first.stream.parts.find(p => p.kind === 'button' && p.command === 'grounded.retry');
      assert.ok(retry?.kind === 'button');

      text = 'Flux is 99.\nThe doors open upwards.';
      await chat.fake.execute('grounded.retry', ...(retry.arguments ?? []));
      assert.deepEqual(opened, ['@grounded what is flux?']);
      const again = await chat.ask('what is flux?');
      assert.equal(asked[1]?.question, 'what is flux?');
      assert.deepEqual(asked[1]?.context, asked[0]?.context);
      assert.match(again.stream.text, /Asked again about ``[^`]*a`\.md:1`` as it read when first asked/);
      assert.match(
        new MarkdownIt().render(again.stream.text),
        /Asked again about <code>[^<]*a`\.md:1<\/code> as it read/,
      );

      // a question typed next is asked as typed, about nothing the Retry had
      await chat.ask('what is flux?');
      assert.equal(asked[2]?.context, undefined);

      // a Retry the chat view sent elsewhere: the same words typed later with lines attached are asked about those
      await chat.fake.execute('grounded.retry', ...(retry.arguments ?? []));
      const other = {
        ...selection,
        range: [14, 24],
        value: new FakeLocation(selection.value.uri, { start: line(1), end: line(2) } as never),
      };
      const typed = await chat.ask('what is flux? #selection', undefined, [], { references: [other] });
      assert.equal(asked[3]?.context?.text, 'The doors open upwards.\n');
      assert.doesNotMatch(typed.stream.text, /Asked again/);

      // a Retry of a question asked about no lines waits for nothing: the next asking takes the selection it has
      const plain = await chat.ask('what is flux?');
      const plainRetry = plain.stream.parts.find(p => p.kind === 'button' && p.command === 'grounded.retry');
      assert.ok(plainRetry?.kind === 'button');
      await chat.fake.execute('grounded.retry', ...(plainRetry.arguments ?? []));
      const implicit = { ...other, id: 'vscode.implicit.selection' };
      await chat.ask('what is flux?', undefined, [], { references: [implicit] });
      assert.equal(asked[5]?.context?.text, 'The doors open upwards.\n');
    });
  });

  describe('the history of a follow-up', () => {
    const id = 'grounded.chat';
    /** One earlier exchange: the request as typed, and the result its response ended with. */
    const exchange = (prompt: string, result: { metadata?: unknown; errorDetails?: unknown }, command?: string) => [
      new FakeChatRequestTurn(prompt, id, command),
      new FakeChatResponseTurn([], result, id, command),
    ];
    const answered = (question: string, answer: string) =>
      exchange(question, { metadata: { question, mode: 'answer', cited: 1, failed: false, answer } });

    it('holds a question only with its answer: not one that got none, such as a question over the limit', async () => {
      const asked: AskRequest[] = [];
      const chat = participant(request => {
        asked.push(request);
        return core({ tokens: ['Logs go to /var/log [2].'] })(request);
      });
      const failed = (question: string, partial: string) =>
        exchange(question, {
          metadata: { question, mode: 'answer', cited: 0, failed: true, answer: partial },
          errorDetails: { message: 'It failed.' },
        });
      const history = [
        ...failed('what rotates?', 'Rotation is'),
        ...answered('flux?', 'Flux is 88 [1].'),
        ...failed('x'.repeat(20_000), ''),
        ...exchange('logs', { metadata: { question: 'logs', mode: 'search', cited: 2, failed: false } }, 'search'),
      ];
      await chat.ask('and the logs?', undefined, history);
      assert.deepEqual(asked[0]?.history, [
        { role: 'user', text: 'what rotates?' },
        { role: 'assistant', text: 'Rotation is' },
        { role: 'user', text: 'flux?' },
        { role: 'assistant', text: 'Flux is 88 [1].' },
      ]);
      // a short follow-up is searched with the question before it that was answered
      assert.ok(retriever.queries.at(-1)?.startsWith('flux? and the logs?'), retriever.queries.at(-1));
    });
  });
});
