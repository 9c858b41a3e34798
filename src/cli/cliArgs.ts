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

/**
 * The warning for a PostgreSQL connection string given in `flag` with a password in it (`user:pw@` or
 * `?password=`): arguments can be read by other users (ps) and stay in the shell history, and PGPASSWORD holds the
 * password instead. Undefined without one; a string that is no URL is judged where it is used.
 */
export function passwordInArgumentWarning(flag: string, connectionString: string): string | undefined {
  let url: URL;
  try {
    url = new URL(connectionString.trim());
  } catch {
    return undefined;
  }
  if (url.password === '' && !url.searchParams.has('password')) return undefined;
  return `grounded: warning: the password in ${flag} can be read by other users of this machine (ps) and stays in the shell history; put it in PGPASSWORD instead.\n`;
}
