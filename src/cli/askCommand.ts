import { parseArgs } from 'node:util';
import { ask } from '../core/ask';
import { GroundedError, type ErrorKind } from '../core/errors';
import type { AnswerEvent, Citation } from '../core/events';
import type { AskOptions } from '../core/options';
import { passageLabel, type Passage } from '../core/passage';
import { searchResultViews } from '../core/searchResults';
import { createOpenAiCompatibleModels } from '../providers/openAiCompatible';
import { resolveEndpoint } from '../providers/presets';
import { WithoutInventedNumbers } from '../shared/citationMarkers';
import { sourcesToShow, type SourcesToShow } from '../shared/sourcesToShow';
import { sliceWhole } from '../shared/wholeCharacters';
import { requirePositional } from './cliArgs';
import type { CliIo } from './cliIo';
import { refuseUnnamedWideFolder, resolveFolders } from './folderArgs';
import { RETRIEVER_OPTIONS, RETRIEVER_USAGE, retrieverFromArgs, type OpenedRetriever } from './retrieverArgs';
import { printSearchResults } from './searchCommand';
import { escapeName } from '../shared/terminalText';
import { causeDetail, jsonErrorLine, settingFlags, terminalError } from './terminalError';

const USAGE = `grounded ask "question" [--folder DIR]... ${RETRIEVER_USAGE} [--base-url URL --model NAME [--helper-model NAME] [--max-input-tokens N]] [--no-grading] [--citations lexical|model|off] [--allow-insecure] [--json]`;

/**
 * `grounded ask "question"`: the whole answer flow over the folder's stored index (as `search` and `index` keep it), or
 * over the remote engine --retriever names. Tokens go to stdout as they arrive, then the cited sources as
 * `path:start-end` (one line as `path:56`); progress and errors go to stderr. The key comes from GROUNDED_API_KEY,
 * never from an argument (arguments end up in shell history and `ps`). Without --base-url/--model it prints the search
 * results as `grounded search` does (with --json, the events, the results as the answer's text). Exit codes
 * (exitCodeFor): 0 done, 1 the index could not be built or read, or a failure of no known kind, 2 bad input, 3 model or
 * auth error, 4 stream broke (partial printed), 130 cancelled.
 */
export async function askCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      folder: { type: 'string', multiple: true },
      ...RETRIEVER_OPTIONS,
      ...MODEL_OPTIONS,
      citations: { type: 'string', default: 'lexical' },
      json: { type: 'boolean', default: false },
    },
  });
  const question = requirePositional([positionals.join(' ')].filter(Boolean), 'question', USAGE);
  const citationCheck = values.citations;
  if (citationCheck !== 'lexical' && citationCheck !== 'model' && citationCheck !== 'off')
    throw new GroundedError(
      'bad-input',
      `--citations is lexical, model or off, not “${citationCheck}”. Usage: ${USAGE}`,
    );
  const folders = await resolveFolders(values.folder);
  if (values.retriever === 'local') refuseUnnamedWideFolder(values.folder, folders);
  const models = modelsFromArgs(values, env, USAGE);
  const opened = await retrieverFromArgs(values, folders, io, env, USAGE);
  const events = ask(
    { question, signal: io.signal },
    {
      retriever: opened.retriever,
      model: models.model,
      helperModel: models.helperModel,
      options: {
        grading: !values['no-grading'],
        citationCheck,
        maxInputTokens: models.maxInputTokens,
        maxInputTokensSource: models.maxInputTokensSource,
      },
    },
  );
  try {
    if (values.json) return await printJsonLines(events, io);
    // without a model the answer is the ranked passages, written for chat: a terminal gets them as `search` prints them
    const results = models.model
      ? undefined
      : (sources: Passage[]) => printResults(sources, question, opened.retriever, io);
    const code = await printForPeople(events, io, results);
    // the results say no model was available; a person at a terminal is told how to name one
    if (!models.model && code === 0) io.err(NO_MODEL_HINT);
    return code;
  } finally {
    await opened
      .close()
      .catch((e: unknown) =>
        io.err(`grounded: the index could not be saved: ${e instanceof Error ? e.message : String(e)}\n`),
      );
  }
}

/** Said on stderr after the search results `ask` prints when no model was named. */
const NO_MODEL_HINT =
  'grounded: no model was named, so these are search results. For an answer, add --base-url URL --model NAME (the key, if the endpoint needs one, in GROUNDED_API_KEY).\n';

/** The flags that name the answer's model, the same for every command that answers (`ask`, `mcp`). */
export const MODEL_OPTIONS = {
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'helper-model': { type: 'string' },
  'max-input-tokens': { type: 'string' },
  'no-grading': { type: 'boolean', default: false },
} as const;

/** The models an answer uses, and their input limit (undefined: none) with what set it. */
export type CliModels = Partial<ReturnType<typeof createOpenAiCompatibleModels>> &
  Pick<AskOptions, 'maxInputTokens' | 'maxInputTokensSource'>;

/**
 * The models --base-url and --model name (none without them); the key comes from GROUNDED_API_KEY. Their input
 * limit is --max-input-tokens (0: none), else the default for an unknown endpoint (see presets.ts).
 */
export function modelsFromArgs(
  values: {
    'base-url'?: string;
    model?: string;
    'helper-model'?: string;
    'max-input-tokens'?: string;
    'allow-insecure': boolean;
  },
  env: NodeJS.ProcessEnv,
  usage: string,
): CliModels {
  const { 'base-url': baseUrl, model, 'helper-model': helperModel, 'allow-insecure': allowInsecure } = values;
  const limit = values['max-input-tokens'];
  if (limit !== undefined && !/^\d+$/.test(limit.trim()))
    throw new GroundedError('bad-input', `--max-input-tokens must be a whole number (0 for no limit), not "${limit}".`);
  if (baseUrl === undefined && model === undefined) {
    if (helperModel !== undefined || limit !== undefined)
      throw new GroundedError(
        'bad-input',
        `${helperModel !== undefined ? '--helper-model' : '--max-input-tokens'} needs --base-url and --model. Usage: ${usage}`,
      );
    return {};
  }
  if (!baseUrl || !model) throw new GroundedError('bad-input', `--base-url and --model go together. Usage: ${usage}`);
  const resolved = resolveEndpoint({
    preset: 'custom',
    baseUrl,
    model,
    helperModel: helperModel ?? '',
    azureApiVersion: '',
    allowInsecure,
    maxInputTokens: limit === undefined ? null : Number(limit),
  });
  if ('problem' in resolved) throw new GroundedError('bad-input', settingFlags(resolved.problem));
  return {
    ...createOpenAiCompatibleModels(resolved.endpoint, env.GROUNDED_API_KEY),
    maxInputTokens: resolved.endpoint.maxInputTokens,
    maxInputTokensSource: resolved.endpoint.maxInputTokensSource,
  };
}

/**
 * The answer for a person at a terminal: its tokens as they come, then its Sources. With `results` (no model, so the
 * answer is the ranked passages written for chat), the tokens and the citations that repeat the passages are left
 * out, and `results` prints the passages once the answer is done.
 */
async function printForPeople(
  events: AsyncIterable<AnswerEvent>,
  io: CliIo,
  results?: (sources: Passage[]) => Promise<void>,
): Promise<number> {
  let sources: Passage[] = [];
  // the answer as every surface shows it: a number that names no source is left out
  let shown = new WithoutInventedNumbers(0);
  const write = (text: string) => {
    if (text) io.out(text);
  };
  // the latest verdict on each marker printed so far, for the Sources of an answer cut short
  const citations = new Map<number, Citation>();
  for await (const event of events) {
    switch (event.type) {
      case 'step':
        // a step may name a setting (a helper call's failure): the CLI names its flag
        io.err(`… ${settingFlags(event.detail)}\n`);
        break;
      case 'sources':
        write(shown.flush());
        sources = event.sources;
        shown = new WithoutInventedNumbers(sources.length);
        citations.clear();
        break;
      case 'token':
        if (!results) write(shown.push(event.text));
        break;
      case 'citation':
        citations.set(event.citation.ordinal, event.citation);
        break;
      case 'done':
        if (results) {
          await results(sources);
          return 0;
        }
        write(shown.flush());
        io.out(`\n\n${sourceLines(sourcesToShow(event, sources))}`);
        return 0;
      case 'error':
        write(shown.flush());
        if (event.partial) {
          io.out(event.error.kind === 'stream-broken' ? '\n[interrupted]\n' : '\n');
          // what the partial answer cited so far is still worth opening
          const cited = [...citations.values()].sort((a, b) => a.ordinal - b.ordinal);
          if (cited.length > 0)
            io.out(`\n${sourceLines(sourcesToShow({ citations: cited, mode: 'answer' }, sources))}`);
        }
        io.err(terminalError(event.error));
        return exitCodeFor(event.error.kind);
      default:
        return assertNever(event);
    }
  }
  return 1;
}

/**
 * The ranked passages as `grounded search` prints them, their matched lines found with the retriever's term weights.
 */
async function printResults(
  passages: Passage[],
  query: string,
  retriever: OpenedRetriever['retriever'],
  io: CliIo,
): Promise<void> {
  const weights = await retriever.termWeights?.([query, ...passages.map(p => p.text)]);
  printSearchResults(passages, searchResultViews(passages, query, weights), io);
}

/**
 * One AnswerEvent per line; an error is written as jsonErrorLine writes it (its cause, which may hold a body, goes to
 * stderr, redacted, as without --json).
 */
async function printJsonLines(events: AsyncIterable<AnswerEvent>, io: CliIo): Promise<number> {
  for await (const event of events) {
    if (event.type === 'error') {
      io.out(jsonErrorLine(event.error, event.partial));
      const cause = causeDetail(event.error);
      if (cause !== undefined) io.err(`grounded: cause: ${cause}\n`);
      return exitCodeFor(event.error.kind);
    }
    // a step may name a setting (a helper call's failure): the CLI names its flag, as the people's output does
    const line = event.type === 'step' ? { ...event, detail: settingFlags(event.detail) } : event;
    io.out(JSON.stringify(line) + '\n');
    if (event.type === 'done') return 0;
  }
  return 1;
}

/**
 * Each claim's citation as `[n] path:start-end` (`path#cell=N:start-end` in a notebook, `path#page=N:start-end` in a
 * PDF; one line as `path:56`, see passageLabel), with the claim and a word when its lines do not support it; or (when
 * nothing was cited) the passages the answer was written from.
 */
function sourceLines(shown: SourcesToShow): string {
  const lines =
    shown.kind === 'cited'
      ? shown.citations.map(
          c =>
            `[${c.n}] ${escapeName(passageLabel(c.passage, c.startLine, c.endLine))}${supportNote(c)}${c.claim ? `  “${escapeName(clip(c.claim))}”` : ''}`,
        )
      : shown.sources.map(p => escapeName(passageLabel(p, p.startLine, p.endLine)));
  if (lines.length === 0) return '';
  return `Sources:\n${lines.map(l => `  ${l}\n`).join('')}`;
}

function supportNote(c: Citation): string {
  const moved = c.movedFrom !== undefined ? ` (moved from [${c.movedFrom}])` : '';
  const support =
    c.support === 'unsupported'
      ? ' (not supported by these lines)'
      : c.support === 'partial'
        ? ' (partly supported)'
        : '';
  return moved + support;
}

/** A claim cut to 80 UTF-16 units, the cut between whole characters (never through an emoji). */
const clip = (text: string) => (text.length > 80 ? `${sliceWhole(text, 0, 79)}…` : text);

/**
 * The exit code of a failure of this kind, in every command (see run): every kind is listed, so a new one is given
 * its code on purpose. `unknown` is a failure nothing classified (a bug among them): a general failure, 1, not a
 * model or network error.
 */
export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'index':
    case 'unknown':
      return 1;
    case 'bad-input':
      return 2;
    case 'auth':
    case 'rate-limit':
    case 'network':
    case 'timeout':
    case 'model-refused':
    case 'no-model':
      return 3;
    case 'stream-broken':
      return 4;
    case 'cancelled':
      return 130;
    default:
      return assertNever(kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled case ${JSON.stringify(value)}`);
}
