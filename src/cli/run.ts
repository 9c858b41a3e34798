import { GroundedError } from '../core/errors';
import { askCommand, exitCodeFor } from './askCommand';
import type { CliCommand, CliIo } from './cliIo';
import { evalCommand } from './evalCommand';
import { indexCommand } from './indexCommand';
import { mcpCommand } from './mcpCommand';
import { searchCommand } from './searchCommand';
import { jsonErrorLine, terminalError, unexpectedError, unexpectedMessage } from './terminalError';

export const USAGE = `Usage:
  grounded search "query" [--folder DIR]... [--store DIR | REMOTE] [-k N] [--json]   ranked passages from the folder's index (or a remote engine)
  grounded index [--folder DIR]... [--store DIR] [--rebuild] [--json]     build or update the index, print counts and timings
  grounded index --target postgres://…?sslmode=require [--table NAME] [--folder DIR]... [--store DIR] [--rebuild] [--embeddings-model NAME --embeddings-base-url URL [--embeddings-preset ID]] [--json]   push chunks (and vectors) to PostgreSQL + pgvector (password in PGPASSWORD)
  grounded ask "question" [--folder DIR]... [--store DIR | REMOTE] [--base-url URL --model NAME [--helper-model NAME] [--max-input-tokens N]] [--no-grading] [--citations lexical|model|off] [--json]   a cited answer over the folder's index (or a remote engine), streamed (key in GROUNDED_API_KEY)
  grounded mcp [--folder DIR]... [--store DIR | REMOTE] [--base-url URL --model NAME [--helper-model NAME] [--max-input-tokens N]] [--no-grading]   a Model Context Protocol server on stdin/stdout: tools search (and ask, with a model; key in GROUNDED_API_KEY) for any MCP client; keeps the index current
  grounded eval BEIR_DIR [--json] [--run FILE] [--embeddings-model NAME --embeddings-base-url URL [--embeddings-preset ID]]   retrieval metrics on a BEIR set (lexical; + vector and hybrid with embeddings)
  --allow-insecure (index --target, search, ask, mcp, eval): allow plain http, or PostgreSQL without sslmode, to another machine
  REMOTE (search, ask, mcp): --retriever pgvector --connection-string postgres://USER@HOST/DB?sslmode=require [--table NAME] (password in PGPASSWORD)
                        --retriever databricks-vector-search --workspace-url URL --index CATALOG.SCHEMA.INDEX [--endpoint NAME] [--query-type ANN|HYBRID] (token in DATABRICKS_TOKEN)
                        [--embeddings-model NAME --embeddings-base-url URL [--embeddings-preset ID]]: the question is embedded too (vector ranking, query_vector)
`;

/** One entry per subcommand. `ask` (the full answer flow over a folder) joins here when the CLI gets a model. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  ask: askCommand,
  search: searchCommand,
  index: indexCommand,
  eval: evalCommand,
  mcp: mcpCommand,
};

/**
 * Runs the CLI and resolves to the exit code: 0 ok, 1 failed (the index could not be built, read or saved, or a
 * failure of no known kind, `unknown`: a bug among them), 2 bad input, 3 a model, auth, rate-limit, network or
 * timeout error (from a model, an embeddings endpoint or a remote engine), 4 a stream broke (`ask`), 130 cancelled; a
 * failure's code is the one `ask` gives its kind (exitCodeFor), in every command. Never throws.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const topic = name === 'help' ? args[0] : name;
  if (name === 'help' && topic === undefined) {
    io.out(USAGE);
    return 0;
  }
  const command = topic !== undefined && Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
  if (!command || topic === undefined) {
    io.err(`Unknown command "${topic ?? name}".\n${USAGE}`);
    return 2;
  }
  if (name === 'help' || asksForHelp(args)) {
    io.out(usageOf(topic));
    return 0;
  }
  try {
    return await command(args, io);
  } catch (e) {
    return reportError(e, io, JSON_COMMANDS.has(topic) && beforeEnd(args).includes('--json'));
  }
}

/** The commands whose output --json makes JSON: their failures are said on stdout too, as JSON (jsonErrorLine). */
const JSON_COMMANDS: ReadonlySet<string> = new Set(['ask', 'search', 'index', 'eval']);

/** `--help` or `-h` among a command's options (before a `--`, after which everything is an argument). */
function asksForHelp(args: readonly string[]): boolean {
  return beforeEnd(args).some(a => a === '--help' || a === '-h');
}

/** A command's options: its arguments before a `--`, after which everything is an argument. */
function beforeEnd(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

/** The usage lines of one command, and the notes on options it takes. */
export function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const forms = lines.filter(l => l.startsWith(`  grounded ${command} `));
  const notes: string[] = [];
  let noting = false;
  for (const line of lines) {
    // a note is a line that names its commands in parentheses, and the indented lines that continue it
    if (/^ {2}\S/.test(line) && !line.startsWith('  grounded '))
      noting = new RegExp(`[(,] ?${command}\\b`).test(line.slice(0, line.indexOf(':')));
    else if (!/^ {3,}\S/.test(line)) noting = false;
    if (noting) notes.push(line);
  }
  return `Usage:\n${[...forms, ...notes].join('\n')}\n`;
}

/**
 * Says a command's failure on stderr and resolves to its exit code. With --json (`json`), stdout gets it too, as the
 * one line a script reading stdout can parse: the error line `ask --json` ends its answer's stream with.
 */
function reportError(e: unknown, io: CliIo, json: boolean): number {
  const failure = failureOf(e, io.signal);
  io.err(failure.text);
  if (json) io.out(jsonErrorLine(failure.error));
  return failure.code;
}

/** A failure as --json says it (its kind and message), its text for stderr and its exit code. */
function failureOf(e: unknown, signal: AbortSignal | undefined): { error: GroundedError; text: string; code: number } {
  if (signal?.aborted || (e instanceof Error && e.name === 'AbortError'))
    return { error: new GroundedError('cancelled', 'Cancelled.'), text: 'Cancelled.\n', code: 130 };
  if (e instanceof GroundedError) return { error: e, text: terminalError(e), code: exitCodeFor(e.kind) };
  if (isParseArgsError(e))
    return { error: new GroundedError('bad-input', e.message), text: `grounded: ${e.message}\n${USAGE}`, code: 2 };
  const error = new GroundedError('unknown', unexpectedMessage(e));
  return { error, text: unexpectedError(e), code: exitCodeFor(error.kind) };
}

const isParseArgsError = (e: unknown): e is Error =>
  e instanceof Error &&
  typeof (e as { code?: unknown }).code === 'string' &&
  String((e as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');
