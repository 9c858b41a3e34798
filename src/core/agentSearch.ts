import { cancelled, GroundedError } from './errors';
import { passageRef, type Passage } from './passage';
import type { Retriever } from './ports';
import type { TermWeight } from './citations/align';
import { estimateTokens } from './rag/promptBudget';
import { backticksAround } from '../shared/codeSpan';
import { alignedToQuery, numberedLines } from './searchResults';
import { uncitablePathReason } from '../retrievers/citablePath';

/**
 * Search as another agent calls it (the VS Code language model tool, the MCP server): input checked the same way
 * for both, passages checked and formatted the same way for both, within a token budget the result reports.
 */

/** Passages an agent gets when it does not say how many. */
export const DEFAULT_AGENT_RESULTS = 8;
/** The most it may ask for: more rarely helps and only spends the caller's context. */
export const MAX_AGENT_RESULTS = 30;
/** A query is a few words or one question; a longer one is a pasted file, which BM25 ranks poorly and slowly. */
export const MAX_QUERY_CHARS = 1000;
/** The result's size when the caller gives no budget (VS Code gives one for the model it is calling). */
export const DEFAULT_TOKEN_BUDGET = 4000;
/**
 * How long an agent's search waits for the workspace's first embedding (the local hybrid) before it answers by
 * keywords, saying so: the agent waits on its tool call, and a client may give up on it (MCP clients often after a
 * minute).
 */
export const AGENT_FIRST_SYNC_WAIT_MS = 15_000;
/** Below this many tokens left, a passage is not cut to fit: a header and two lines tell the caller nothing. */
const MIN_CUT_TOKENS = 48;

export interface AgentSearchInput {
  query: string;
  maxResults: number;
}

/** One passage as an agent sees it: where its lines are and what they say. */
export interface AgentPassage {
  /** `path:start-end` (`path#cell=N:…` in a notebook, `path#page=N:…` in a PDF). */
  ref: string;
  path: string;
  startLine: number;
  endLine: number;
  cell?: number;
  /** The lines are the cell's text outputs, not its source (`path#cell=N/output:…`). */
  cellOutput?: true;
  page?: number;
  title?: string;
  /**
   * The passage's lines that match the query best (the lines a claim in its words would be cited by), 1-based file
   * lines, inclusive: what to cite when they say what the agent uses.
   */
  matched?: { startLine: number; endLine: number };
  text: string;
  score: number;
}

export interface AgentSearchResult {
  query: string;
  passages: AgentPassage[];
  /**
   * The first text part: how many passages, how many tokens of which budget, what was left out, and what the
   * retriever said of this search (ranked by keywords alone while the workspace is embedded, or as the embeddings
   * failed).
   */
  summary: string;
  /**
   * One text part per passage, headed by its `path:start-end`, title and best-matching lines, its lines fenced and
   * numbered as in the file (so the agent cites exact lines without counting them).
   */
  blocks: string[];
  /** Tokens of the blocks and the summary together, as `countTokens` counts them (the summary at its longest). */
  tokens: number;
  budget: number;
  /** Passages found but left out (or cut short) to stay within the budget. */
  omitted: number;
}

export interface AgentSearchOptions {
  signal?: AbortSignal;
  /** At most this many tokens in the result (default DEFAULT_TOKEN_BUDGET). */
  tokenBudget?: number;
  /** The caller's tokenizer; default: the prompt budget's estimate, which errs high for every kind of text. */
  countTokens?: (text: string) => Promise<number>;
  /** SearchOptions.firstSyncWaitMs (default AGENT_FIRST_SYNC_WAIT_MS). */
  firstSyncWaitMs?: number;
}

/**
 * Checks what an agent sent: a query (text, not blank, at most MAX_QUERY_CHARS) and an optional count (a whole
 * number from 1 to MAX_AGENT_RESULTS) named `countName` in the caller's schema. Bad input is a `bad-input` error
 * whose message the agent can act on.
 */
export function agentSearchInput(query: unknown, count: unknown, countName = 'maxResults'): AgentSearchInput {
  const text = agentText(query, 'The search needs a query: a few words or a question about the workspace.', 'query');
  if (count === undefined || count === null) return { query: text, maxResults: DEFAULT_AGENT_RESULTS };
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_AGENT_RESULTS)
    throw new GroundedError(
      'bad-input',
      `${countName} is a whole number from 1 to ${MAX_AGENT_RESULTS}, not ${asGiven(count)}.`,
    );
  return { query: text, maxResults: count };
}

/** A value as the caller wrote it: JSON, except numbers JSON cannot hold (NaN, Infinity), which it writes as null. */
const asGiven = (value: unknown): string =>
  typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));

/** A question an agent asks (the MCP server's `ask`), checked as a query is: text, not blank, not over-long. */
export function agentQuestion(question: unknown): string {
  return agentText(question, 'Ask needs a question about the workspace.', 'question');
}

function agentText(value: unknown, missing: string, noun: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new GroundedError('bad-input', missing);
  // characters as the tools' schemas count them for maxLength (code points): an emoji is one, not two UTF-16 units
  const length = value.length - (value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
  if (length > MAX_QUERY_CHARS)
    throw new GroundedError(
      'bad-input',
      `The ${noun} is ${length} characters long; keep it under ${MAX_QUERY_CHARS} (a few words or one question).`,
    );
  return value.trim();
}

/**
 * Runs the search and formats what it found. A passage whose path may not be cited (an absolute path, another
 * scheme, `..`, control characters: see uncitablePathReason) is left out, whichever retriever returned it.
 * Passages are kept in rank order while they fit the budget; the first one that does not is cut to the lines that
 * fit (its range says which), and the rest are left out and counted. One that cannot be cut is left out and the
 * next ones are tried, so a long first line does not leave the agent with nothing.
 */
export async function agentSearch(
  retriever: Retriever,
  input: AgentSearchInput,
  options: AgentSearchOptions = {},
): Promise<AgentSearchResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const notices: string[] = [];
  const found = await retriever.search(input.query, {
    k: input.maxResults,
    signal,
    onNotice: notice => notices.push(notice),
    firstSyncWaitMs: options.firstSyncWaitMs ?? AGENT_FIRST_SYNC_WAIT_MS,
  });
  if (signal?.aborted) throw cancelled();
  const citable = found.filter(p => uncitablePathReason(p.path) === undefined);
  const weight = await retriever.termWeights?.([input.query, ...citable.map(p => p.text)]);
  return formatAgentResult(input.query, citable, { ...options, notices, weight });
}

/** The summary and the passages' blocks within the budget (see agentSearch). */
export async function formatAgentResult(
  query: string,
  found: readonly Passage[],
  options: Pick<AgentSearchOptions, 'tokenBudget' | 'countTokens'> & {
    notices?: readonly string[];
    /** The index's IDF, to find each passage's best-matching lines (else the passages' own). */
    weight?: TermWeight;
  } = {},
): Promise<AgentSearchResult> {
  const budget = Math.max(1, Math.floor(options.tokenBudget ?? DEFAULT_TOKEN_BUDGET));
  const count = options.countTokens ?? ((text: string) => Promise.resolve(estimateTokens(text)));
  // what the retriever said of the search, after the summary: the agent weighs the passages by it
  const said = [...new Set(options.notices ?? [])].map(n => ` ${oneLine(n)}`).join('');
  const summaryText = (shown: number, tokens: number, omitted: number) =>
    foundText(query, shown, tokens, budget, omitted) + said;
  // the summary's length barely depends on its numbers: room is kept for the longest it can be
  const summaryRoom = await count(summaryText(found.length, budget, found.length));
  if (found.length > 0 && summaryRoom >= budget) {
    // no room for a passage beside the summary: say so, and count what is sent (it may be over the budget)
    const summary = tooSmallText(query, found.length, budget) + said;
    return { query, passages: [], summary, blocks: [], tokens: await count(summary), budget, omitted: found.length };
  }
  let used = 0;
  const passages: AgentPassage[] = [];
  const blocks: string[] = [];
  let cutShort = 0;
  // the lines a claim in the query's words would be cited by, as search results show them
  const alignments = alignedToQuery(found, query, options.weight);
  for (const [i, p] of found.entries()) {
    const left = budget - summaryRoom - used;
    const aligned = alignments[i];
    const matched =
      aligned && aligned.score > 0 ? { startLine: aligned.startLine, endLine: aligned.endLine } : undefined;
    const whole = agentPassage(p, matched);
    const block = passageBlock(whole);
    const tokens = await count(block);
    if (tokens <= left) {
      passages.push(whole);
      blocks.push(block);
      used += tokens;
      continue;
    }
    const cut = left >= MIN_CUT_TOKENS ? await cutToFit(whole, left, count) : undefined;
    // a passage that cannot be cut (one long line, or too little room) is left out; smaller ones after it may fit
    if (!cut) continue;
    passages.push(cut.passage);
    blocks.push(cut.block);
    used += cut.tokens;
    cutShort = 1;
    break;
  }
  const omitted = found.length - passages.length + cutShort;
  const tokens = used + summaryRoom;
  const summary = summaryText(passages.length, tokens, omitted);
  return { query, passages, summary, blocks, tokens, budget, omitted };
}

function agentPassage(p: Passage, matched: AgentPassage['matched']): AgentPassage {
  return {
    ref: passageRef(p, p.startLine, p.endLine),
    path: p.path,
    startLine: p.startLine,
    endLine: p.endLine,
    ...placeFields(p),
    ...(p.title ? { title: oneLine(p.title) } : {}),
    ...(matched ? { matched } : {}),
    text: p.text,
    score: p.score,
  };
}

/**
 * Which lines of the file the line numbers count, beside `path`: a notebook cell's source or outputs, or a PDF
 * page, as the ref says (a notebook's file lines are JSON, a PDF has none).
 */
export function placeFields(
  p: Pick<Passage, 'cell' | 'cellOutput' | 'page'>,
): Pick<AgentPassage, 'cell' | 'cellOutput' | 'page'> {
  return {
    ...(p.cell !== undefined ? { cell: p.cell } : {}),
    ...(p.cell !== undefined && p.cellOutput ? { cellOutput: true as const } : {}),
    ...(p.page !== undefined ? { page: p.page } : {}),
  };
}

/**
 * `path:start-end — title (best match: lines 56-57)`, then the lines, each after its number in the file, in a fence
 * longer than any backtick run inside them.
 */
export function passageBlock(p: AgentPassage): string {
  const ticks = backticksAround(p.text, 3);
  const numbered = numberedLines(p.text.split('\n'), p.startLine)
    .map(line => line.trimEnd())
    .join('\n');
  const { matched } = p;
  // a passage the best match fills says nothing more by naming it
  const best =
    !matched || (matched.startLine === p.startLine && matched.endLine === p.endLine)
      ? ''
      : matched.startLine === matched.endLine
        ? ` (best match: line ${matched.startLine})`
        : ` (best match: lines ${matched.startLine}-${matched.endLine})`;
  return `${p.ref}${p.title ? ` — ${p.title}` : ''}${best}\n${ticks}\n${numbered}\n${ticks}`;
}

/** The passage's first lines, as many as fit in `room` tokens, with its range shortened to them. */
async function cutToFit(
  p: AgentPassage,
  room: number,
  count: (text: string) => Promise<number>,
): Promise<{ passage: AgentPassage; block: string; tokens: number } | undefined> {
  const lines = p.text.split('\n');
  const withLines = (n: number): AgentPassage => {
    const endLine = p.startLine + n - 1;
    const ref = p.ref.slice(0, p.ref.lastIndexOf(':')) + `:${p.startLine}-${endLine}`;
    const { matched, ...rest } = p;
    // the best-matching lines are named while the cut keeps all of them
    const kept = matched && matched.endLine <= endLine ? { matched } : {};
    return { ...rest, ...kept, ref, endLine, text: lines.slice(0, n).join('\n') };
  };
  let best: { passage: AgentPassage; block: string; tokens: number } | undefined;
  // the most lines that fit, by halving: each probe is one count
  let low = 1;
  let high = lines.length - 1;
  while (low <= high) {
    const mid = Math.floor((low + high) / 2);
    const passage = withLines(mid);
    const block = passageBlock(passage);
    const tokens = await count(block);
    if (tokens <= room) {
      best = { passage, block, tokens };
      low = mid + 1;
    } else high = mid - 1;
  }
  return best;
}

function foundText(query: string, shown: number, tokens: number, budget: number, omitted: number): string {
  const quoted = `“${oneLine(query)}”`;
  if (shown === 0 && omitted === 0) return `Nothing in the workspace matches ${quoted}. Try other words.`;
  const passages = shown === 1 ? '1 passage' : `${shown} passages`;
  const left = omitted ? `; ${omitted} more left out or cut short to stay within it` : '';
  return (
    `${passages} from the workspace for ${quoted}, ranked best first (${tokens} of a ${budget}-token budget${left}). ` +
    'Each is headed by path:start-end, the file and lines it quotes; its lines are numbered as in the file: cite ' +
    'path:start-end of the lines that say what you use.'
  );
}

function tooSmallText(query: string, found: number, budget: number): string {
  const passages = found === 1 ? '1 passage' : `${found} passages`;
  return `The ${budget}-token budget is too small for any passage: ${passages} found for “${oneLine(query)}” left out. Call the tool again when more of the context window is free, or ask the user to read them in Grounded's panel.`;
}

const oneLine = (text: string): string =>
  text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
