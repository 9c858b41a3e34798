import type { GroundedError } from '../core/errors';
import { redactSecrets } from '../providers/redact';

/** Errors already written to the log: a failure that several surfaces report is logged once. */
const logged = new WeakSet<GroundedError>();

/**
 * Writes a failure to the Grounded log once, before any message points there: what failed, the kind, the message
 * and the cause chain with its system codes (where the reason usually is), with credential shapes and every held
 * secret redacted (trimmed, as they are sent). A cancel is not a failure and is not logged. True when it wrote.
 */
export function logFailureOnce(
  log: { warn(message: string): void },
  what: string,
  error: GroundedError,
  held: readonly (string | undefined)[] = [],
): boolean {
  if (error.kind === 'cancelled' || logged.has(error)) return false;
  logged.add(error);
  const secrets = held.map(s => s?.trim()).filter((s): s is string => !!s);
  log.warn(
    redactSecrets(`${what} failed (${error.kind}): ${error.message}${causeText(error.cause, secrets)}`, secrets),
  );
  return true;
}

/**
 * The cause's message (and its own causes', with their codes), where the reason for a failure usually is. A cause that
 * is no Error is written as JSON, redacted of `secrets` before it is cut short, so the cut cannot split one.
 */
export function causeText(cause: unknown, secrets: readonly string[] = []): string {
  const parts: string[] = [];
  for (let c = cause, depth = 0; c !== undefined && c !== null && depth < 6; depth++) {
    if (c instanceof Error) {
      const code = (c as { code?: unknown }).code;
      parts.push(typeof code === 'string' && !c.message.includes(code) ? `${c.message} (${code})` : c.message);
    } else parts.push(typeof c === 'string' ? c : jsonText(c, secrets));
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.length ? ` — ${parts.join(' — ')}` : '';
}

function jsonText(value: unknown, secrets: readonly string[]): string {
  try {
    return redactSecrets(JSON.stringify(value), secrets).slice(0, 2000);
  } catch {
    return String(value);
  }
}
