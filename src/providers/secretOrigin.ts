import { GroundedError, type ErrorAction } from '../core/errors';
import { lastParam, postgresHost } from '../core/secureTransport';
import { PRESETS, type PresetId } from './presets';

/**
 * A stored secret and the origins it may be sent to. A secret is bound to the server it was entered for, so a
 * setting that points Grounded elsewhere cannot take it there without the person agreeing first.
 */
export interface SecretRecord {
  value: string;
  /** Normalised origins (`originOf`, `postgresOrigin`); empty for a secret stored before origins were kept. */
  origins: string[];
}

/**
 * `scheme://host[:port]` of an http(s) URL: lower case, default port dropped, path and query ignored. A bare host
 * is taken as https, as the endpoint settings take it. Undefined when it is not an http(s) URL.
 */
export function originOf(url: string): string | undefined {
  const text = url.trim();
  if (!text) return undefined;
  try {
    const parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `postgres://host:port/database` of a connection string, read as the pg driver reads it: `host` and `port` query
 * parameters win over the URL's own, and PGHOST and PGPORT stand in for what the URL does not name. Undefined when it
 * is not a postgres URL.
 */
export function postgresOrigin(connectionString: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let url: URL;
  try {
    url = new URL(connectionString.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return undefined;
  const host = (postgresHost(url, env) || 'localhost').toLowerCase();
  const port = lastParam(url, 'port') || url.port || env['PGPORT'] || '5432';
  return `postgres://${host}:${port}${decodeURIComponent(url.pathname) || '/'}`;
}

/** The origin an endpoint's settings send its key to: the typed base URL, else the preset's default. */
export function endpointOrigin(settings: { preset: PresetId; baseUrl: string }): string | undefined {
  return originOf(settings.baseUrl.trim() || PRESETS[settings.preset].defaultBaseUrl || '');
}

/** Reads what SecretStorage holds: a record, or a plain string stored before origins were kept (bound to none). */
export function parseSecretRecord(stored: string | undefined): SecretRecord | undefined {
  if (stored === undefined) return undefined;
  if (stored.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(stored);
      if (isRecord(parsed))
        return parsed.value.trim() ? { value: parsed.value, origins: [...new Set(parsed.origins)] } : undefined;
    } catch {
      // not a record: a plain secret that starts with a brace
    }
  }
  // kept as stored: API keys were trimmed before storing, and a password's spaces are part of it
  return stored.trim() ? { value: stored, origins: [] } : undefined;
}

export function serializeSecretRecord(record: SecretRecord): string {
  return JSON.stringify({ value: record.value, origins: record.origins });
}

function isRecord(v: unknown): v is SecretRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return typeof r.value === 'string' && Array.isArray(r.origins) && r.origins.every(o => typeof o === 'string');
}

export const isAllowed = (record: SecretRecord, origin: string): boolean => record.origins.includes(origin);

export const withOrigin = (record: SecretRecord, origin: string): SecretRecord =>
  isAllowed(record, origin) ? record : { value: record.value, origins: [...record.origins, origin] };

/** One use of a secret: which one (for people), where it is about to go, and how to set it again. */
export interface SecretUse {
  /** "the OpenAI API key", "the PostgreSQL password". */
  name: string;
  origin: string;
  /** The command that sets the secret (it binds it to the origins configured then). */
  setCommand: ErrorAction;
  /** The setting that names the origin, for the message when the person says no. */
  setting: string;
}

/** Asks the person whether the secret may go to an origin it is not bound to; true: send it and remember. */
export type ConfirmSend = (use: SecretUse, boundTo: readonly string[]) => Promise<boolean>;

/**
 * The secret's value when it may be sent to `use.origin`: it is bound there, or the person agrees (then `bound`
 * is the record with the origin added, for the caller to store). Refused: an auth error saying it was not sent.
 */
export async function releaseSecret(
  record: SecretRecord,
  use: SecretUse,
  confirm: ConfirmSend,
): Promise<{ value: string; bound?: SecretRecord }> {
  if (isAllowed(record, use.origin)) return { value: record.value };
  if (await confirm(use, record.origins)) return { value: record.value, bound: withOrigin(record, use.origin) };
  const where = record.origins.length
    ? `it was set for ${record.origins.join(', ')}`
    : 'it is not yet bound to any server';
  throw new GroundedError(
    'auth',
    `Grounded did not send ${use.name} to ${use.origin} (${where}): check ${use.setting}, or run “Grounded: ${use.setCommand.title}” to use it there.`,
    { action: use.setCommand },
  );
}
