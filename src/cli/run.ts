import { GroundedError } from '../core/errors';
import { redactSecrets } from '../providers/redact';
import { askCommand } from './askCommand';
import type { CliCommand, CliIo } from './cliIo';
import { evalCommand } from './evalCommand';
import { indexCommand } from './indexCommand';
import { searchCommand } from './searchCommand';

export const USAGE = `Usage:
  grounded search "query" [--folder DIR]... [--store DIR] [-k N] [--json]   ranked passages from the folder's index
  grounded index [--folder DIR]... [--store DIR] [--rebuild] [--json]     build or update the index, print counts and timings
  grounded index --target postgres://…?sslmode=require [--table NAME] [--folder DIR]... [--rebuild] [--embeddings-model NAME --embeddings-base-url URL] [--json]   push chunks (and vectors) to PostgreSQL + pgvector
  grounded ask "question" [--folder DIR]... [--base-url URL --model NAME] [--no-grading] [--json]   a cited answer, streamed
  grounded eval BEIR_DIR [--json] [--run FILE] [--embeddings-model NAME --embeddings-base-url URL]   retrieval metrics on a BEIR set (lexical; + vector and hybrid with embeddings)
  --allow-insecure (index --target, ask, eval): allow plain http, or PostgreSQL without sslmode, to another machine
`;

/** One entry per subcommand. `ask` (the full answer flow over a folder) joins here when the CLI gets a model. */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  ask: askCommand,
  search: searchCommand,
  index: indexCommand,
  eval: evalCommand,
};

/** Runs the CLI and resolves to the exit code: 0 ok, 1 failed, 2 bad input, 130 cancelled. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (e) {
    return reportError(e, io);
  }
}

export function reportError(e: unknown, io: CliIo): number {
  if (io.signal?.aborted || (e instanceof Error && e.name === 'AbortError')) {
    io.err('Cancelled.\n');
    return 130;
  }
  if (e instanceof GroundedError) {
    const detail = causeDetail(e);
    // A terminal has no “Grounded” output channel: the cause that would be logged there is printed instead.
    io.err(detail ? `grounded: ${e.message.replace(OUTPUT_HINT, '')}\ngrounded: cause: ${detail}\n` : `grounded: ${e.message}\n`);
    return e.kind === 'bad-input' ? 2 : 1;
  }
  if (isParseArgsError(e)) {
    io.err(`grounded: ${e.message}\n${USAGE}`);
    return 2;
  }
  io.err(`grounded: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

const isParseArgsError = (e: unknown): e is Error =>
  e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && String((e as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');

const OUTPUT_HINT = / See the “Grounded” output for details(, then retry)?\./;
/** Environment variables whose values are secrets the CLI reads. */
const SECRET_VARIABLES = ['PGPASSWORD', 'GROUNDED_API_KEY', 'GROUNDED_EMBEDDINGS_API_KEY'];

/**
 * The chain of causes behind an error whose message points to the “Grounded” output or names no reason
 * (kind `unknown`), with their codes (a SQLSTATE, a socket code), redacted; undefined for the others.
 */
function causeDetail(e: GroundedError): string | undefined {
  if (e.kind !== 'unknown' && !OUTPUT_HINT.test(e.message)) return undefined;
  const parts: string[] = [];
  for (let cause: unknown = e.options.cause, depth = 0; cause !== undefined && cause !== null && depth < 3; depth++) {
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      parts.push(`${cause.message}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`);
      cause = cause.cause;
    } else {
      parts.push(typeof cause === 'string' ? cause : JSON.stringify(cause));
      break;
    }
  }
  if (parts.length === 0) return undefined;
  const secrets = SECRET_VARIABLES.map(v => process.env[v]).filter((v): v is string => !!v);
  return redactSecrets(parts.join(' ← ').slice(0, 600), secrets);
}
