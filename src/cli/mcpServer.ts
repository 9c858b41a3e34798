import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type LoggingLevel,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  agentQuestion,
  agentSearch,
  agentSearchInput,
  DEFAULT_AGENT_RESULTS,
  MAX_AGENT_RESULTS,
  MAX_QUERY_CHARS,
  placeFields,
} from '../core/agentSearch';
import { GroundedError, isAbort } from '../core/errors';
import type { AnswerEvent } from '../core/events';
import { passageRef } from '../core/passage';
import type { Retriever } from '../core/ports';
import type { SyncProgress } from '../index';
import { redactSecrets } from '../providers/redact';
import { ParamsCheckingServer } from './paramsCheckingServer';
import { causeDetail, cliMessage, MCP_SERVER, settingFlags } from './terminalError';

export interface McpServerDeps {
  /** The retriever `search` (and `ask`) use; undefined while it cannot be opened (then `problem` says why). */
  retriever?: Retriever;
  /** Why there is no retriever (a folder that does not exist, a bad --retriever): every call is answered with it. */
  problem?: GroundedError;
  /**
   * The first index build's progress while it runs and nothing can be searched yet: a call is then answered at
   * once with how far it got (waiting for a large build would outlast the client's timeout).
   */
  building?: () => Promise<SyncProgress | undefined> | SyncProgress | undefined;
  /** The answer flow over the same retriever; only with a model endpoint (then `ask` is listed). */
  ask?: (question: string, signal: AbortSignal) => AsyncIterable<AnswerEvent>;
  version: string;
  /** Diagnostics for a person (stderr): never the protocol's stdout. */
  log(message: string): void;
}

/** Where the line numbers count from in a notebook or a PDF (the file's own lines otherwise). */
const PLACE_PROPERTIES = {
  cell: { type: 'integer', description: 'The notebook cell the lines are in, 1-based' },
  cellOutput: { type: 'boolean', description: "The lines are the cell's outputs, not its source" },
  page: { type: 'integer', description: 'The PDF page the lines are on, 1-based' },
} as const;

const PASSAGE_SCHEMA = {
  type: 'object',
  properties: {
    ref: { type: 'string', description: 'path:start-end (path#cell=N:… in a notebook, path#page=N:… in a PDF)' },
    path: { type: 'string', description: 'Relative to its workspace folder, or an http(s) URL' },
    startLine: { type: 'integer', description: '1-based, inclusive' },
    endLine: { type: 'integer', description: '1-based, inclusive' },
    ...PLACE_PROPERTIES,
    title: { type: 'string', description: 'Heading trail or symbol name' },
    matched: {
      type: 'object',
      description: 'The lines of the passage that match the query best (1-based, inclusive)',
      properties: { startLine: { type: 'integer' }, endLine: { type: 'integer' } },
      required: ['startLine', 'endLine'],
    },
    text: { type: 'string' },
    score: { type: 'number' },
  },
  required: ['ref', 'path', 'startLine', 'endLine', 'text', 'score'],
} as const;

const SEARCH_TOOL: Tool = {
  name: 'search',
  title: 'Search the workspace',
  description:
    "Searches the indexed folders (source code, Markdown docs, notes, Jupyter notebooks, PDFs and Word documents) with Grounded's index and returns the best-matching passages, best first, each with its path and exact line range (path:start-end), the lines that match best, and its lines numbered as in the file. Use it to find where something is defined, configured, documented or explained before answering about it, and cite path:start-end of the lines that say what you use (not the whole passage). Query with the words the files would contain (names, identifiers, error messages, key terms).",
  inputSchema: {
    type: 'object',
    properties: {
      query: {
        type: 'string',
        description: `What to look for: a few words or one question, at most ${MAX_QUERY_CHARS} characters.`,
        maxLength: MAX_QUERY_CHARS,
      },
      k: {
        type: 'integer',
        description: `How many passages to return, best first (1 to ${MAX_AGENT_RESULTS}, default ${DEFAULT_AGENT_RESULTS}).`,
        minimum: 1,
        maximum: MAX_AGENT_RESULTS,
      },
    },
    required: ['query'],
  },
  outputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string' },
      passages: { type: 'array', items: PASSAGE_SCHEMA },
      tokens: { type: 'integer', description: 'Estimated tokens of the text content' },
      budget: { type: 'integer', description: 'The token budget the result was kept within' },
      omitted: { type: 'integer', description: 'Passages found but left out (or cut short) to stay within the budget' },
    },
    required: ['query', 'passages', 'tokens', 'budget', 'omitted'],
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

const ASK_TOOL: Tool = {
  name: 'ask',
  title: 'Ask about the workspace',
  description:
    "Answers a question about the indexed folders with Grounded's model: it searches, grades the passages and writes an answer whose every claim cites the exact lines (path:start-end) that say it. Use it for a question that needs several passages put together; use search to read the passages yourself.",
  inputSchema: {
    type: 'object',
    properties: {
      question: {
        type: 'string',
        description: `The question, at most ${MAX_QUERY_CHARS} characters.`,
        maxLength: MAX_QUERY_CHARS,
      },
    },
    required: ['question'],
  },
  outputSchema: {
    type: 'object',
    properties: {
      answer: { type: 'string' },
      citations: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            n: {
              type: 'integer',
              description: 'The source the lines are in: the [n] marker in the answer, unless movedFrom is given',
            },
            ref: {
              type: 'string',
              description: 'path:start-end (path#cell=N:… in a notebook, path#page=N:… in a PDF)',
            },
            path: { type: 'string' },
            startLine: { type: 'integer' },
            endLine: { type: 'integer' },
            ...PLACE_PROPERTIES,
            claim: { type: 'string' },
            support: { type: 'string', enum: ['supported', 'partial', 'unsupported'] },
            movedFrom: {
              type: 'integer',
              description:
                'The [n] marker the answer writes, when the check found the claim said clearly better in source n',
            },
          },
          required: ['n', 'ref', 'path', 'startLine', 'endLine', 'claim'],
        },
      },
    },
    required: ['answer', 'citations'],
  },
  annotations: { readOnlyHint: true, openWorldHint: true },
};

/**
 * Grounded as an MCP server: `search` always, `ask` when a model endpoint is configured (its steps, searching,
 * grading, writing, sent as progress notifications when the client asked for them). The tools' schemas are
 * written here once, as JSON Schema (the low-level Server, so that an unknown tool is a protocol error while bad
 * arguments are a tool error the calling model can read and correct). A client's cancel aborts the search or the
 * answer; no failure ends the server.
 */
export function createMcpServer(deps: McpServerDeps): Server {
  const server = new ParamsCheckingServer(
    { name: 'grounded', title: 'Grounded', version: deps.version },
    {
      capabilities: { tools: {}, logging: {} },
      instructions:
        'Grounded searches the folders it was started on. Call search with a few words to get passages with exact path:start-end ranges and numbered lines, and cite the lines that say what you use.',
    },
  );
  const tools = deps.ask ? [SEARCH_TOOL, ASK_TOOL] : [SEARCH_TOOL];
  // every tool is listed at once, with no nextCursor: a cursor is one this server never gave, which the protocol's
  // pagination answers as invalid params rather than with the first page again
  server.setRequestHandler(ListToolsRequestSchema, request => {
    if (request.params?.cursor !== undefined)
      throw new McpError(
        ErrorCode.InvalidParams,
        'Invalid params for tools/list: the cursor is not one this server gave (it lists every tool at once, with no nextCursor).',
      );
    return { tools };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    if (!tools.some(t => t.name === name))
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool “${name}”: this server has ${tools.map(t => t.name).join(' and ')}.`,
      );
    try {
      if (deps.problem) throw deps.problem;
      const retriever = deps.retriever;
      if (!retriever) throw new GroundedError('index', 'The index is not open.');
      if (name === 'search') return await search(retriever, args, extra.signal, deps.building);
      const ask = deps.ask;
      if (!ask) throw new GroundedError('no-model', 'No model endpoint is configured.');
      const progressToken = extra._meta?.progressToken;
      const progress =
        progressToken === undefined
          ? undefined
          : (n: number, message: string) =>
              void extra
                .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: n, message } })
                .catch(() => undefined);
      return await answer(ask, args, extra.signal, deps.building, progress, e => serverMessage(e, name, deps.log));
    } catch (e) {
      if (extra.signal.aborted || isAbort(e)) return toolError('Cancelled.');
      if (e instanceof GroundedError) return toolError(serverMessage(e, name, deps.log));
      // `log` names the server itself; credential shapes in a library's message are not written out
      deps.log(redactSecrets(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
      return toolError(`The ${name} failed; the server's log (stderr) says why.`);
    }
  });
  return server;
}

async function search(
  retriever: Retriever,
  args: Record<string, unknown>,
  signal: AbortSignal,
  building: McpServerDeps['building'],
) {
  const input = agentSearchInput(args.query, args.k, 'k');
  await notBuilding(building, 'search');
  const result = await agentSearch(retriever, input, { signal });
  return {
    content: [result.summary, ...result.blocks].map(text => ({ type: 'text' as const, text })),
    structuredContent: {
      query: result.query,
      passages: result.passages,
      tokens: result.tokens,
      budget: result.budget,
      omitted: result.omitted,
    },
  } satisfies CallToolResult;
}

async function answer(
  ask: NonNullable<McpServerDeps['ask']>,
  args: Record<string, unknown>,
  signal: AbortSignal,
  building: McpServerDeps['building'],
  progress: ((n: number, message: string) => void) | undefined,
  said: (e: GroundedError) => string,
): Promise<CallToolResult> {
  const question = agentQuestion(args.question);
  await notBuilding(building, 'ask');
  let steps = 0;
  for await (const event of ask(question, signal)) {
    // a broken stream's text is kept, as every surface keeps it: the agent gets what was written, marked cut off
    if (event.type === 'error' && event.partial.trim())
      return toolError(`${event.partial.trimEnd()}\n\n[interrupted] ${said(event.error)}`);
    if (event.type === 'error') throw event.error;
    // a step may name a setting (a helper call's failure): the agent's user runs the CLI, so its flag is named
    if (event.type === 'step') progress?.(++steps, settingFlags(event.detail));
    if (event.type !== 'done') continue;
    const citations = event.citations.map(c => ({
      n: c.n,
      ref: passageRef(c.passage, c.startLine, c.endLine),
      path: c.passage.path,
      startLine: c.startLine,
      endLine: c.endLine,
      ...placeFields(c.passage),
      claim: c.claim,
      ...(c.support ? { support: c.support } : {}),
      ...(c.movedFrom !== undefined ? { movedFrom: c.movedFrom } : {}),
    }));
    // a moved citation's [n] is not the number the answer writes: the line says which one it was
    const line = (c: (typeof citations)[number]) =>
      `[${c.n}] ${c.ref}${c.movedFrom !== undefined ? ` (moved from [${c.movedFrom}])` : ''}`;
    const sources = [...new Set(citations.map(line))];
    const text = sources.length ? `${event.answer}\n\nSources:\n${sources.join('\n')}` : event.answer;
    return { content: [{ type: 'text', text }], structuredContent: { answer: event.answer, citations } };
  }
  throw new GroundedError('stream-broken', 'The answer ended before it was finished. Ask again.');
}

/** During the first build, a call is told at once how far the build got, and to call again (see `building`). */
async function notBuilding(building: McpServerDeps['building'], tool: string): Promise<void> {
  const progress = await building?.();
  if (!progress) return;
  const { done, total, growing } = progress;
  const far = total === 0 ? 'its files are being listed' : `${done} of ${total}${growing ? '+' : ''} files read`;
  throw new GroundedError('index', `The index is still being built (${far}). Call ${tool} again in a few seconds.`);
}

/**
 * A failure's message as the client's agent reads it: in the CLI's words (cliMessage), where the environment and
 * the flags to check are the server's. When the cause is not in the message, it is written to the server's log
 * (redacted) and the message says so.
 */
function serverMessage(e: GroundedError, tool: string, log: (message: string) => void): string {
  const said = cliMessage(e, MCP_SERVER);
  const cause = causeDetail(e);
  if (cause === undefined) return said;
  log(`${tool} failed: ${said} Cause: ${cause}`);
  return `${said} The server's log (stderr) says why.`;
}

const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** A logging notification to the client, once it is connected (dropped otherwise: stderr has the same). */
export function notifyClient(server: Server, level: LoggingLevel, data: string): void {
  server.sendLoggingMessage({ level, logger: 'grounded', data }).catch(() => undefined);
}
