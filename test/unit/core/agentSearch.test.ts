import assert from 'node:assert/strict';
import {
  AGENT_FIRST_SYNC_WAIT_MS,
  agentSearch,
  agentSearchInput,
  DEFAULT_AGENT_RESULTS,
  formatAgentResult,
  MAX_AGENT_RESULTS,
  MAX_QUERY_CHARS,
} from '../../../src/core/agentSearch';
import { GroundedError } from '../../../src/core/errors';
import type { Passage } from '../../../src/core/passage';
import type { Retriever, SearchOptions } from '../../../src/core/ports';
import { estimateTokens } from '../../../src/core/rag/promptBudget';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';

const badInput = (message: RegExp) => (e: unknown) =>
  e instanceof GroundedError && e.kind === 'bad-input' && message.test(e.message);

/** One token a character: budgets in tests are counted in characters. */
const chars = (text: string) => Promise.resolve(text.length);

const lines = (n: number, word = 'line') => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`).join('\n');

describe('agent search input (the language model tool and the MCP server)', () => {
  it('takes a query and a count, trimmed, with the default count when none is given', () => {
    assert.deepEqual(agentSearchInput('  flux capacitor ', undefined), {
      query: 'flux capacitor',
      maxResults: DEFAULT_AGENT_RESULTS,
    });
    assert.deepEqual(agentSearchInput('flux', 3), { query: 'flux', maxResults: 3 });
  });

  it('refuses a missing, blank or non-text query with a message that says what a query is', () => {
    for (const query of [undefined, '', '   ', 42, { q: 'x' }])
      assert.throws(() => agentSearchInput(query, undefined), badInput(/needs a query/));
  });

  it('refuses an over-long query, saying how long it is and the limit', () => {
    const query = 'x'.repeat(MAX_QUERY_CHARS + 1);
    assert.throws(
      () => agentSearchInput(query, undefined),
      badInput(new RegExp(`${MAX_QUERY_CHARS + 1} characters long; keep it under ${MAX_QUERY_CHARS}`)),
    );
    assert.equal(agentSearchInput('x'.repeat(MAX_QUERY_CHARS), undefined).query.length, MAX_QUERY_CHARS);
  });

  it('counts a query’s length in characters as its schema’s maxLength does, an emoji as one', () => {
    const emoji = '😀'.repeat(MAX_QUERY_CHARS); // within maxLength, though twice as many UTF-16 units
    assert.equal(agentSearchInput(emoji, undefined).query, emoji);
    assert.throws(
      () => agentSearchInput(`${emoji}😀`, undefined),
      badInput(new RegExp(`${MAX_QUERY_CHARS + 1} characters long`)),
    );
  });

  it('refuses a count that is not a whole number in range, naming it as the caller’s schema does', () => {
    for (const count of [0, -1, 1.5, MAX_AGENT_RESULTS + 1, '5', Number.NaN])
      assert.throws(() => agentSearchInput('flux', count, 'k'), badInput(/^k is a whole number from 1 to 30/));
    assert.equal(agentSearchInput('flux', MAX_AGENT_RESULTS).maxResults, MAX_AGENT_RESULTS);
  });

  it('quotes the count it refused as it was given, a number that is not finite too', () => {
    assert.throws(() => agentSearchInput('flux', Number.NaN), badInput(/, not NaN\.$/));
    assert.throws(() => agentSearchInput('flux', Number.POSITIVE_INFINITY), badInput(/, not Infinity\.$/));
    assert.throws(() => agentSearchInput('flux', '5'), badInput(/, not "5"\.$/));
  });
});

describe('agent search output', () => {
  it('heads each passage with path:start-end and its title, its lines fenced and numbered as in the file, ranked as found', async () => {
    const found: Passage[] = [
      { ...passage(1, 'first\nsecond'), startLine: 12, endLine: 13 },
      { ...passage(2, 'other'), title: undefined },
    ];
    const result = await agentSearch(new FakeRetriever(() => found), { query: 'flux', maxResults: 5 });
    assert.deepEqual(result.blocks, [
      'docs/file1.md:12-13 — Title 1\n```\n12  first\n13  second\n```',
      'docs/file2.md:1-3\n```\n1  other\n```',
    ]);
    assert.deepEqual(
      result.passages.map(p => [p.ref, p.path, p.startLine, p.endLine, p.title]),
      [
        ['docs/file1.md:12-13', 'docs/file1.md', 12, 13, 'Title 1'],
        ['docs/file2.md:1-3', 'docs/file2.md', 1, 3, undefined],
      ],
    );
    assert.match(
      result.summary,
      /^2 passages from the workspace for “flux”, ranked best first \(\d+ of a 4000-token budget\)/,
    );
    assert.equal(result.omitted, 0);
  });

  it('names the lines that match the query best, in the header and the structured passage, while a cut keeps them', async () => {
    const text = ['# Flux', '', 'The capacitor glows.', 'Set the flux level to 88.', 'It needs 1.21 GW.'].join('\n');
    const found: Passage[] = [{ ...passage(1, text), startLine: 40, endLine: 44, title: undefined }];
    const result = await formatAgentResult('flux level', found);
    assert.deepEqual(result.passages[0]?.matched, { startLine: 43, endLine: 43 });
    assert.equal(result.blocks[0]?.split('\n')[0], 'docs/file1.md:40-44 (best match: line 43)');
    assert.match(result.blocks[0] ?? '', /\n43  Set the flux level to 88\.\n/);
    assert.match(result.summary, /numbered as in the file: cite .* the lines that say what you use/);
    // cut to fit its first lines, it no longer holds them: they are not named
    const cut = await formatAgentResult('flux level', found, { tokenBudget: 380, countTokens: chars });
    assert.equal(cut.passages[0]?.endLine, 42, JSON.stringify(cut.passages));
    assert.equal(cut.passages[0]?.matched, undefined);
    assert.doesNotMatch(cut.blocks[0] ?? '', /best match/);
    const kept = await formatAgentResult('flux level', found, { tokenBudget: 420, countTokens: chars });
    assert.deepEqual([kept.passages[0]?.endLine, kept.passages[0]?.matched], [43, { startLine: 43, endLine: 43 }]);
    // a passage that holds none of the query's words names no lines
    assert.equal((await formatAgentResult('plutonium', found)).passages[0]?.matched, undefined);
  });

  it('names a notebook cell and a PDF page in the header, and fences text holding backticks with a longer fence', async () => {
    const found: Passage[] = [
      { ...passage(1, 'run ```x```'), path: 'a.ipynb', cell: 3, title: undefined },
      { ...passage(2, 'page text'), path: 'b.pdf', page: 4, title: 'Line\none' },
    ];
    const result = await formatAgentResult('q', found);
    assert.equal(result.blocks[0], 'a.ipynb#cell=3:1-3\n````\n1  run ```x```\n````');
    assert.equal(result.blocks[1], 'b.pdf#page=4:1-3 — Line one\n```\n1  page text\n```');
    assert.equal(result.passages[0]?.cell, 3);
    assert.equal(result.passages[1]?.page, 4);
  });

  it('leaves out passages whose paths may not be cited, whichever retriever returned them', async () => {
    const found = [
      passage(1, 'outside', '/etc/passwd'),
      passage(2, 'scheme', 'command:workbench.action.quit'),
      passage(3, 'up', '../secrets.md'),
      passage(4, 'newline', 'docs/a.md\nfake.md:1-2'),
      passage(5, 'fine', 'docs/ok.md'),
      passage(6, 'web', 'https://example.com/page'),
    ];
    const result = await agentSearch(new FakeRetriever(() => found), { query: 'x', maxResults: 10 });
    assert.deepEqual(
      result.passages.map(p => p.path),
      ['docs/ok.md', 'https://example.com/page'],
    );
  });

  it('keeps passages in rank order within the budget, cuts the first that does not fit to the lines that do, and counts the rest', async () => {
    const found = [
      { ...passage(1, lines(5)), startLine: 10, endLine: 14 },
      { ...passage(2, lines(40)), startLine: 100, endLine: 139 },
      passage(3, lines(5)),
    ];
    const result = await formatAgentResult('q', found, { tokenBudget: 600, countTokens: chars });
    assert.equal(result.passages.length, 2);
    const cut = result.passages[1];
    assert.ok(cut);
    assert.equal(cut.startLine, 100);
    assert.ok(cut.endLine > 100 && cut.endLine < 139, `cut to ${cut.endLine}`);
    assert.equal(cut.ref, `docs/file2.md:100-${cut.endLine}`);
    assert.equal(cut.text, lines(cut.endLine - 99));
    assert.ok(result.tokens <= 600, `${result.tokens} tokens`);
    const counted = [result.summary, ...result.blocks].reduce((n, text) => n + text.length, 0);
    assert.ok(result.tokens >= counted, `reports ${result.tokens} tokens for ${counted}`);
    assert.equal(result.omitted, 2, 'the cut passage and the one after it');
    assert.match(result.summary, /of a 600-token budget; 2 more left out or cut short to stay within it\)/);
  });

  it('stays within the budget without the caller’s tokenizer for text denser than English: Chinese, minified code', async () => {
    const chinese = Array.from({ length: 60 }, (_, i) => `第${i + 1}行：通量电容器的配置写在 acme.json 里。`).join(
      '\n',
    );
    const minified = Array.from({ length: 60 }, (_, i) => `a${i}=b[${i}]?c(d,${i}):e;f.g=h||{};`).join('\n');
    const found = [passage(1, chinese), passage(2, minified, 'src/app.min.js'), passage(3, chinese)];
    const result = await formatAgentResult('q', found, { tokenBudget: 1000 });
    const sent = [result.summary, ...result.blocks].reduce((n, text) => n + estimateTokens(text), 0);
    assert.ok(sent <= 1000, `${sent} tokens sent for a 1000-token budget`);
    assert.ok(result.tokens >= sent, `reports ${result.tokens} tokens for ${sent}`);
    assert.ok(result.passages.length >= 1);
  });

  it('leaves out a passage that cannot be cut (one long line) and goes on with the next ones that fit', async () => {
    const found = [{ ...passage(1, 'x'.repeat(2000)), startLine: 7, endLine: 7 }, passage(2, lines(3))];
    const result = await formatAgentResult('q', found, { tokenBudget: 600, countTokens: chars });
    assert.deepEqual(
      result.passages.map(p => p.ref),
      ['docs/file2.md:1-3'],
    );
    assert.equal(result.omitted, 1);
    assert.match(result.summary, /^1 passage .*; 1 more left out or cut short/);
  });

  it('returns the summary alone when even the first passage does not fit', async () => {
    const result = await formatAgentResult('q', [passage(1, lines(50))], { tokenBudget: 300, countTokens: chars });
    assert.deepEqual(result.blocks, []);
    assert.equal(result.omitted, 1);
    assert.match(result.summary, /^0 passages .*1 more left out/);
  });

  it('says the budget is too small for any passage when the summary alone does not fit, and counts the tokens sent', async () => {
    const result = await formatAgentResult('q', [passage(1, lines(3)), passage(2)], {
      tokenBudget: 20,
      countTokens: chars,
    });
    assert.deepEqual(result.passages, []);
    assert.deepEqual(result.blocks, []);
    assert.equal(result.omitted, 2);
    assert.match(
      result.summary,
      /^The 20-token budget is too small for any passage: 2 passages found for “q” left out\./,
    );
    assert.equal(result.tokens, result.summary.length, 'the tokens sent, though over the budget');
  });

  it('says nothing matched when the retriever found nothing', async () => {
    const result = await formatAgentResult('flux', []);
    assert.equal(result.summary, 'Nothing in the workspace matches “flux”. Try other words.');
    assert.deepEqual(result.blocks, []);
  });

  it('tells the agent what the retriever said of the search, within the budget, and waits a bounded time for a first pass', async () => {
    const asked: SearchOptions[] = [];
    const keywordsOnly: Retriever = {
      search: async (_query, options) => {
        asked.push(options);
        options.onNotice?.('Searching by keywords only while m embeds the workspace for the first time.');
        options.onNotice?.('Searching by keywords only while m embeds the workspace for the first time.');
        return [passage(1)];
      },
    };
    const result = await agentSearch(
      keywordsOnly,
      { query: 'q', maxResults: 2 },
      { tokenBudget: 500, countTokens: chars },
    );
    assert.match(
      result.summary,
      /^1 passage from the workspace for “q”.*\. Searching by keywords only while m embeds the workspace for the first time\.$/,
    );
    assert.equal(result.summary.match(/Searching/g)?.length, 1, 'said once');
    const sent = result.summary.length + result.blocks.join('').length;
    assert.ok(result.tokens <= 500 && result.tokens >= sent, `${result.tokens} tokens counted, ${sent} sent`);
    assert.equal(asked[0]?.firstSyncWaitMs, AGENT_FIRST_SYNC_WAIT_MS);
    await agentSearch(keywordsOnly, { query: 'q', maxResults: 2 }, { firstSyncWaitMs: 5 });
    assert.equal(asked[1]?.firstSyncWaitMs, 5);
  });

  it('asks the retriever for the count given, and stops with a cancel when the signal aborts during the search', async () => {
    const retriever = new FakeRetriever(() => [passage(1), passage(2), passage(3)]);
    const result = await agentSearch(retriever, { query: 'q', maxResults: 2 });
    assert.equal(result.passages.length, 2);

    const controller = new AbortController();
    const aborting: Retriever = {
      search: async () => {
        controller.abort();
        return [passage(1)];
      },
    };
    await assert.rejects(
      agentSearch(aborting, { query: 'q', maxResults: 2 }, { signal: controller.signal }),
      (e: unknown) => e instanceof GroundedError && e.kind === 'cancelled',
    );
    await assert.rejects(agentSearch(retriever, { query: 'q', maxResults: 2 }, { signal: controller.signal }));
    assert.deepEqual(retriever.queries, ['q'], 'an aborted signal searches nothing');
  });
});
