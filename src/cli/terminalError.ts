import type { GroundedError } from '../core/errors';
import { redactSecrets } from '../providers/redact';

const OUTPUT_HINT = / See the “Grounded” output for details(, then retry)?\./;
/** Environment variables whose values are secrets the CLI reads. */
const SECRET_VARIABLES = ['PGPASSWORD', 'DATABRICKS_TOKEN', 'GROUNDED_API_KEY', 'GROUNDED_EMBEDDINGS_API_KEY'];

/**
 * A failure as the CLI prints it to stderr. A terminal has no “Grounded” output channel, so when the message sends
 * the reader there (or names no reason: kind `unknown`), the cause that would be logged there is printed in place
 * of that pointer: its chain of messages with their codes (a SQLSTATE, a socket code), redacted.
 */
export function terminalError(e: GroundedError): string {
  const detail = causeDetail(e);
  return detail
    ? `grounded: ${e.message.replace(OUTPUT_HINT, '')}\ngrounded: cause: ${detail}\n`
    : `grounded: ${e.message}\n`;
}

/**
 * The cause a message that sends the reader to the “Grounded” output (or names no reason: kind `unknown`) leaves
 * out, as one line: its chain of messages with their codes, redacted; undefined for any other message.
 */
export function causeDetail(e: GroundedError): string | undefined {
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
  return redactSecrets(parts.join(' ← ').slice(0, 600), environmentSecrets());
}

/** A failure the CLI did not expect, with its stack for a bug report, redacted like a cause. */
export function unexpectedError(e: unknown): string {
  return `grounded: unexpected failure: ${redactSecrets(e instanceof Error ? (e.stack ?? e.message) : String(e), environmentSecrets())}\n`;
}

const environmentSecrets = (): string[] => SECRET_VARIABLES.map(v => process.env[v]).filter((v): v is string => !!v);
