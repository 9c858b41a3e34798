import { GroundedError } from './errors';

/** The setting (and CLI flag) that allows cleartext connections to hosts other than this machine. */
export const ALLOW_INSECURE_SETTING = 'grounded.allowInsecureConnections';
const ALLOW_IT = `or set ${ALLOW_INSECURE_SETTING} (--allow-insecure in the CLI) to allow it`;

/** sslmode values under which `pg` refuses to talk without TLS. */
const TLS_SSLMODES = new Set(['require', 'verify-ca', 'verify-full']);

/**
 * Why a connection to `url` would travel in cleartext to another machine, as a sentence saying what to do, or
 * undefined when it is encrypted, stays on this machine (localhost, 127.0.0.0/8, ::1, a Unix socket), or
 * `allowInsecure` is set. http(s) URLs need https; postgres URLs need sslmode=require or verify-*.
 */
export function insecureTransport(
  url: URL | string,
  allowInsecure: boolean,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (allowInsecure) return undefined;
  const parsed = typeof url === 'string' ? safeUrl(url) : url;
  if (!parsed) return undefined; // not a URL: the caller's own parsing names the problem
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:')
    return isLoopbackHost(parsed.hostname)
      ? undefined
      : `${parsed.origin} is plain http, which anyone on the network can read: use https, ${ALLOW_IT}.`;
  if (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') {
    const host = postgresHost(parsed, env);
    if (host === '' || host.startsWith('/') || isLoopbackHost(host)) return undefined;
    if (TLS_SSLMODES.has(lastParam(parsed, 'sslmode') ?? '')) return undefined;
    return `The PostgreSQL connection to ${host} has no sslmode, so the password and the rows would cross the network in cleartext: add ?sslmode=require (or verify-full) to the connection string, ${ALLOW_IT}.`;
  }
  return undefined;
}

/** Throws the `insecureTransport` sentence as a `bad-input` GroundedError. */
export function requireSecureTransport(url: URL | string, allowInsecure: boolean): void {
  const problem = insecureTransport(url, allowInsecure);
  if (problem) throw new GroundedError('bad-input', problem);
}

/** localhost, 127.0.0.0/8 and ::1 (with or without brackets, and as an IPv4-mapped address). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (host === 'localhost' || host === '::1') return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host);
  if (mapped?.[1]) return parseInt(mapped[1], 16) >> 8 === 127;
  const octets = host.replace(/^::ffff:/, '').split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every(o => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * The host `pg` connects to for a postgres URL: the `host` query parameter when there is one, not the URL's host (a
 * repeated parameter's last value is the one it uses; an empty one, `?host=`, names nothing); else the URL's host;
 * else, for a URL that names none (`postgres:///db`), the PGHOST environment variable. '' when none is named: pg then
 * connects to localhost.
 */
export function postgresHost(url: URL, env: NodeJS.ProcessEnv = process.env): string {
  return lastParam(url, 'host') || decoded(url.hostname) || env['PGHOST'] || '';
}

/** A URL's host with its escapes decoded (`%2Fvar%2Frun`, a Unix socket's folder); as it is when one is malformed. */
function decoded(hostname: string): string {
  try {
    return decodeURIComponent(hostname);
  } catch {
    return hostname;
  }
}

/** A query parameter as the pg driver reads it: a repeated one's last value (it copies them in order). */
export function lastParam(url: URL, name: string): string | undefined {
  return url.searchParams.getAll(name).at(-1);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text.trim());
  } catch {
    return undefined;
  }
}
