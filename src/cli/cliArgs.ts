import { GroundedError } from '../core/errors';

/**
 * The one positional argument a command needs, or a `bad-input` error showing the usage: one of only spaces is
 * missing too (a query of no words would match nothing, and say so as if it had searched).
 */
export function requirePositional(positionals: readonly string[], name: string, usage: string): string {
  const value = positionals[0];
  if (value === undefined || value.trim() === '')
    throw new GroundedError('bad-input', `Missing ${name}. Usage: ${usage}`);
  if (positionals.length > 1)
    throw new GroundedError('bad-input', `Unexpected argument "${positionals[1]}". Usage: ${usage}`);
  return value;
}

/**
 * `--allow-insecure`: the CLI's grounded.allowInsecureConnections. Without it, plain http and PostgreSQL without
 * sslmode are refused unless the server is on this machine.
 */
export const ALLOW_INSECURE_OPTION = { 'allow-insecure': { type: 'boolean', default: false } } as const;

/** A positive integer option (`-k 10`), at most `max`. */
export function positiveInt(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new GroundedError('bad-input', `${name} must be a positive whole number up to ${max}, not "${value}".`);
  return n;
}
