import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import * as core from '../../../src/core/agentSearch';
import { GroundedError } from '../../../src/core/errors';
import type { Passage } from '../../../src/core/passage';
import type { Retriever, SearchOptions } from '../../../src/core/ports';
import type { createSearchTool as CreateSearchTool, SearchToolInput } from '../../../src/vscode/searchTool';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import {
  CancellationError,
  FakeCancellationToken,
  LanguageModelTextPart,
  serveFakeVscode,
  type LanguageModelToolResult,
} from '../../fakes/fakeVscodeLm';

type Tool = vscode.LanguageModelTool<SearchToolInput>;

interface ToolSchema {
  properties: Record<string, { description?: string; maxLength?: number; minimum?: number; maximum?: number }>;
}

describe('the grounded_search language model tool (VS Code adapter)', () => {
  let createSearchTool: typeof CreateSearchTool;
  let SEARCH_TOOL_NAME: string;
  let restore: () => void;
  const warnings: string[] = [];

  before(async () => {
    restore = serveFakeVscode();
    ({ createSearchTool, SEARCH_TOOL_NAME } = await import('../../../src/vscode/searchTool.js'));
  });
  after(() => restore());
  beforeEach(() => warnings.splice(0));

  const tool = (retriever: Retriever): Tool =>
    createSearchTool({ retriever, loadCore: async () => core, log: { warn: m => warnings.push(m) } });

  const invoke = async (t: Tool, input: SearchToolInput, token = new FakeCancellationToken(), budget?: number) =>
    (await t.invoke(
      {
        input,
        toolInvocationToken: undefined,
        tokenizationOptions:
          budget === undefined ? undefined : { tokenBudget: budget, countTokens: async text => text.length },
      },
      token as unknown as vscode.CancellationToken,
    )) as unknown as LanguageModelToolResult;

  const texts = (result: LanguageModelToolResult) =>
    result.content.map(part => {
      assert.ok(part instanceof LanguageModelTextPart);
      return part.value;
    });

  it('tells the agent to search again when the first index build outlasts the wait, and stops that search', async () => {
    let aborted = false;
    const building: Retriever = {
      search: (_query: string, options: SearchOptions) =>
        new Promise<Passage[]>((_, reject) =>
          options.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    };
    const waiting = createSearchTool({
      retriever: building,
      loadCore: async () => core,
      log: { warn: m => warnings.push(m) },
      firstBuild: () => true,
      firstBuildWaitMs: 30,
    });
    await assert.rejects(invoke(waiting, { query: 'flux' }), /still building the workspace index .*search again/);
    assert.equal(aborted, true, 'the waiting search was stopped');
    // once built, no wait applies: a search that takes its time is waited for
    const slow: Retriever = {
      search: () => new Promise<Passage[]>(resolve => setTimeout(() => resolve([passage(1, 'flux')]), 60)),
    };
    const built = createSearchTool({
      retriever: slow,
      loadCore: async () => core,
      log: { warn: () => undefined },
      firstBuild: () => false,
      firstBuildWaitMs: 30,
    });
    assert.equal(texts(await invoke(built, { query: 'flux' })).length, 2);
  });

  it('returns a summary part, then one text part per passage headed by path:start-end and title', async () => {
    const found: Passage[] = [{ ...passage(1, 'flux capacitor'), startLine: 4, endLine: 4 }];
    const result = await invoke(tool(new FakeRetriever(() => found)), { query: 'flux', maxResults: 3 });
    const [summary, block] = texts(result);
    assert.match(summary ?? '', /^1 passage from the workspace for “flux”/);
    assert.equal(block, 'docs/file1.md:4-4 — Title 1\n```\n4  flux capacitor\n```');
  });

  it('stays within the token budget VS Code gives, counted with the tokenizer it gives', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const retriever = new FakeRetriever(() => [passage(1, long), passage(2, long)]);
    const result = await invoke(tool(retriever), { query: 'line' }, undefined, 500);
    const all = texts(result);
    assert.ok(all.join('').length <= 500, `${all.join('').length} characters`);
    assert.match(all[0] ?? '', /of a 500-token budget; 2 more left out or cut short/);
  });

  it('asks for the default count when the input names none', async () => {
    let asked = 0;
    const retriever: Retriever = {
      search: async (_q: string, o: SearchOptions) => {
        asked = o.k;
        return [];
      },
    };
    await invoke(tool(retriever), { query: 'flux' });
    assert.equal(asked, core.DEFAULT_AGENT_RESULTS);
  });

  it('refuses bad input with the sentence the agent reads, before searching', async () => {
    const retriever = new FakeRetriever(() => []);
    await assert.rejects(invoke(tool(retriever), { query: '  ' }), /The search needs a query/);
    await assert.rejects(invoke(tool(retriever), { query: 'x', maxResults: 99 }), /maxResults is a whole number/);
    assert.deepEqual(retriever.queries, []);
  });

  it('tells a caller that sent no input object that the search needs a query, and names no query before the call', async () => {
    const retriever = new FakeRetriever(() => []);
    for (const input of [undefined, null, 'flux']) {
      const sent = input as unknown as SearchToolInput;
      await assert.rejects(invoke(tool(retriever), sent), /^Error: The search needs a query/);
      const prepared = await tool(retriever).prepareInvocation?.(
        { input: sent },
        new FakeCancellationToken() as unknown as vscode.CancellationToken,
      );
      assert.equal(prepared?.invocationMessage, 'Searching the workspace with Grounded');
    }
    assert.deepEqual(retriever.queries, []);
  });

  it('stops the search when VS Code cancels the call, and ends as a cancellation', async () => {
    let searchSignal: AbortSignal | undefined;
    const retriever: Retriever = {
      search: (_q, o) =>
        new Promise((_resolve, reject) => {
          searchSignal = o.signal;
          o.signal?.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
        }),
    };
    const token = new FakeCancellationToken();
    const call = invoke(tool(retriever), { query: 'flux' }, token);
    await new Promise(resolve => setImmediate(resolve));
    token.cancel();
    await assert.rejects(call, (e: unknown) => e instanceof CancellationError);
    assert.equal(searchSignal?.aborted, true);
    assert.deepEqual(warnings, [], 'a cancel is not logged as a failure');
  });

  it('ends a cancelled call at the cancel, even while the search cannot stop', async () => {
    const stubborn: Retriever = { search: () => new Promise<Passage[]>(() => undefined) };
    const token = new FakeCancellationToken();
    const call = invoke(tool(stubborn), { query: 'flux' }, token);
    await new Promise(resolve => setImmediate(resolve));
    token.cancel();
    await assert.rejects(call, (e: unknown) => e instanceof CancellationError);
    // nor does it wait for a core still loading
    const loading = createSearchTool({
      retriever: stubborn,
      loadCore: () => new Promise(() => undefined),
      log: { warn: m => warnings.push(m) },
    });
    const other = new FakeCancellationToken();
    const loadingCall = invoke(loading, { query: 'flux' }, other);
    other.cancel();
    await assert.rejects(loadingCall, (e: unknown) => e instanceof CancellationError);
    assert.deepEqual(warnings, []);
  });

  it('searches nothing for a call cancelled before it began', async () => {
    const retriever = new FakeRetriever(() => [passage(1, 'flux')]);
    const token = new FakeCancellationToken();
    token.cancel();
    await assert.rejects(
      invoke(tool(retriever), { query: 'flux' }, token),
      (e: unknown) => e instanceof CancellationError,
    );
    assert.deepEqual(retriever.queries, []);
  });

  it('logs a failed search and tells the agent in one sentence', async () => {
    const retriever: Retriever = { search: () => Promise.reject(new Error('socket closed by 10.0.0.1')) };
    await assert.rejects(
      invoke(tool(retriever), { query: 'flux' }),
      /^Error: The workspace search failed; the “Grounded” output says why\.$/,
    );
    assert.match(warnings[0] ?? '', /socket closed/);
  });

  it('logs the cause of a failure whose message sends the user to the output, with credentials redacted', async () => {
    const cause = new Error('relation "grounded_chunks" does not exist (postgres://me:hunter2secret@db/grounded)');
    const retriever: Retriever = {
      search: () =>
        Promise.reject(
          new GroundedError('unknown', 'PostgreSQL at db failed a query. See the “Grounded” output for details.', {
            cause,
          }),
        ),
    };
    await assert.rejects(
      invoke(tool(retriever), { query: 'flux' }),
      /^Error: PostgreSQL at db failed a query\. See the “Grounded” output for details\.$/,
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /relation "grounded_chunks" does not exist/);
    assert.doesNotMatch(warnings[0] ?? '', /hunter2secret/);
  });

  it('keeps the secrets the extension holds out of the failure it logs', async () => {
    const cause = new Error('embeddings endpoint refused key s3cr3t-held-value');
    const retriever: Retriever = { search: () => Promise.reject(cause) };
    const withSecrets = createSearchTool({
      retriever,
      loadCore: async () => core,
      log: { warn: m => warnings.push(m) },
      heldSecrets: async () => [undefined, ' s3cr3t-held-value '],
    });
    await assert.rejects(invoke(withSecrets, { query: 'flux' }), /^Error: The workspace search failed/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /embeddings endpoint refused key/);
    assert.doesNotMatch(warnings[0] ?? '', /s3cr3t-held-value/);
  });

  it('is declared in the manifest under its name, with the limits the tool checks', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as {
      contributes: { languageModelTools: { name: string; toolReferenceName?: string; inputSchema: ToolSchema }[] };
    };
    const entry = manifest.contributes.languageModelTools.find(t => t.name === SEARCH_TOOL_NAME);
    assert.ok(entry, `no languageModelTools entry named ${SEARCH_TOOL_NAME}`);
    assert.equal(entry.toolReferenceName, 'grounded', '#grounded in a prompt');
    const { query, maxResults } = entry.inputSchema.properties;
    assert.equal(query?.maxLength, core.MAX_QUERY_CHARS);
    assert.match(query?.description ?? '', new RegExp(`at most ${core.MAX_QUERY_CHARS} characters`));
    assert.deepEqual([maxResults?.minimum, maxResults?.maximum], [1, core.MAX_AGENT_RESULTS]);
    assert.match(
      maxResults?.description ?? '',
      new RegExp(`1 to ${core.MAX_AGENT_RESULTS}, default ${core.DEFAULT_AGENT_RESULTS}\\)`),
    );
  });

  it('shows the query it is searching for before the call', async () => {
    const prepared = await tool(new FakeRetriever(() => [])).prepareInvocation?.(
      { input: { query: 'where is the flux capacitor configured' } },
      new FakeCancellationToken() as unknown as vscode.CancellationToken,
    );
    assert.equal(
      prepared?.invocationMessage,
      'Searching the workspace with Grounded for “where is the flux capacitor configured”',
    );
  });

  it('shows a query of several lines on one line', async () => {
    const prepared = await tool(new FakeRetriever(() => [])).prepareInvocation?.(
      { input: { query: 'where is\n\nthe flux\r\n\tcapacitor  configured' } },
      new FakeCancellationToken() as unknown as vscode.CancellationToken,
    );
    assert.equal(
      prepared?.invocationMessage,
      'Searching the workspace with Grounded for “where is the flux capacitor configured”',
    );
  });

  it('shortens a long query without splitting a character in two', async () => {
    const query = `${'a'.repeat(78)}😀 and then many more words about the flux capacitor`;
    const prepared = await tool(new FakeRetriever(() => [])).prepareInvocation?.(
      { input: { query } },
      new FakeCancellationToken() as unknown as vscode.CancellationToken,
    );
    assert.equal(prepared?.invocationMessage, `Searching the workspace with Grounded for “${'a'.repeat(78)}😀…”`);
  });
});
