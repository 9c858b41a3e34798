import { connect } from 'node:net';
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { asError, cancelled, GroundedError } from '../core/errors';
import { ALLOW_INSECURE_SETTING, requireSecureTransport } from '../core/secureTransport';

/** Where the chunks live: the `grounded.pgvector.*` settings, or `grounded index --target`. */
export interface PgvectorConfig {
  /** `postgres://user@host:5432/db?sslmode=require`; a password here is used, else `password`. */
  connectionString: string;
  /** From SecretStorage (or PGPASSWORD in the CLI); never in settings. */
  password?: string;
  /** `table` or `schema.table`; letters, digits and underscores only (identifiers cannot be bound). */
  table: string;
  maxConnections?: number;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** `grounded.allowInsecureConnections` / `--allow-insecure`: a non-loopback server without sslmode is refused otherwise. */
  allowInsecure?: boolean;
}

export const DEFAULT_TABLE = 'grounded_chunks';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** The table's name, quoted part by part, and names derived from it (indexes, the meta table). */
export interface TableNames {
  table: string;
  meta: string;
  /** Unqualified, for index names. */
  base: string;
  display: string;
}

/** Validates and quotes the table name: SQL values are always bound, and names that cannot be are checked. */
export function tableNames(name: string): TableNames {
  const parts = name.trim().split('.');
  if (parts.length > 2 || parts.some(p => !IDENTIFIER.test(p)))
    throw new GroundedError(
      'bad-input',
      `“${name}” is not a usable table name: use letters, digits and underscores (optionally schema.table).`,
    );
  const base = parts[parts.length - 1] ?? DEFAULT_TABLE;
  const quote = (ps: string[]) => ps.map(p => `"${p}"`).join('.');
  return { table: quote(parts), meta: quote([...parts.slice(0, -1), `${base}_meta`]), base, display: parts.join('.') };
}

/** The connection string with the stored password filled in (when it has none), validated. */
export function connectionUrl(config: Pick<PgvectorConfig, 'connectionString' | 'password'>): URL {
  let url: URL;
  try {
    url = new URL(config.connectionString.trim());
  } catch {
    throw new GroundedError(
      'bad-input',
      'The PostgreSQL connection string is not a URL; expected postgres://user@host:5432/database.',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new GroundedError(
      'bad-input',
      `The PostgreSQL connection string must start with postgres://, not ${url.protocol}//.`,
    );
  if (!url.password && config.password) url.password = encodeURIComponent(config.password);
  return url;
}

/** `host:port/database`, for messages: never the user's password. */
export const describeServer = (url: URL): string => `${url.hostname}:${url.port || '5432'}${url.pathname}`;

/** A pool for the config; an idle connection that dies is logged, never an uncaught error. */
export function openPgPool(config: PgvectorConfig, onIdleError: (e: Error) => void = () => undefined): Pool {
  const url = connectionUrl(config);
  requireSecureTransport(url, config.allowInsecure === true);
  const pool = new Pool({
    connectionString: url.href,
    max: config.maxConnections ?? 4,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
    query_timeout: config.queryTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', onIdleError);
  return pool;
}

/** The protocol's code for a CancelRequest, sent in place of a startup message's version. */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * Asks the server to stop the statement `client` is running: the protocol's CancelRequest (its backend's process id
 * and secret key) on a connection of its own, as libpq's PQcancel sends it. The server answers the statement with
 * SQLSTATE 57014 and closes that connection. Best effort: a server that is gone is not waited for.
 */
export function requestCancel(client: PoolClient): void {
  const { processID, secretKey } = client as unknown as { processID: unknown; secretKey: unknown };
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  // a host that is a directory is the server's Unix socket folder, as libpq reads it
  const socket = client.host.startsWith('/')
    ? connect(`${client.host}/.s.PGSQL.${client.port}`)
    : connect(client.port, client.host);
  socket.on('error', () => undefined);
  socket.setTimeout(10_000, () => socket.destroy());
  socket.end(packet);
}

/**
 * Calls `onAbort` when `signal` is aborted while `run` is pending, and makes `run`'s promise reject with `cancelled`
 * at once; `run`'s own failure after that is swallowed (its caller has moved on).
 */
function untilAborted<T>(run: Promise<T>, signal: AbortSignal | undefined, onAbort: () => void): Promise<T> {
  if (!signal) return run;
  if (signal.aborted) {
    run.catch(() => undefined);
    onAbort();
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const aborted = () => {
      run.catch(() => undefined);
      onAbort();
      reject(cancelled());
    };
    signal.addEventListener('abort', aborted, { once: true });
    run.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}

/**
 * One statement on a client of the pool that `signal` stops on the server too: on abort the server is asked to
 * cancel it (`requestCancel`) and the client is closed instead of returned to the pool, where the statement would
 * still hold it; the caller gets `cancelled` at once.
 */
export async function cancellableQuery<R extends QueryResultRow>(
  pool: Pool,
  text: string,
  values: unknown[],
  signal: AbortSignal | undefined,
): Promise<QueryResult<R>> {
  if (!signal) return pool.query<R>(text, values);
  if (signal.aborted) throw cancelled();
  const checkout = pool.connect();
  const client = await untilAborted(
    checkout,
    signal,
    () =>
      void checkout.then(
        c => c.release(true),
        () => undefined,
      ),
  );
  let aborted = false;
  try {
    const result = await untilAborted(client.query<R>(text, values), signal, () => {
      aborted = true;
      requestCancel(client);
      client.release(true);
    });
    client.release();
    return result;
  } catch (e) {
    // as pool.query does: a client whose statement failed is closed, not reused
    if (!aborted) client.release(asError(e));
    throw e;
  }
}

const SQLSTATE_NETWORK = new Set(['08000', '08001', '08003', '08006', '57P01', '57P03', '53300']);

/** Node's codes for a server certificate that is not trusted here, not valid now, or not issued for the host. */
const UNTRUSTED_CERTIFICATE =
  /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_(?:HAS_EXPIRED|NOT_YET_VALID|UNTRUSTED|REJECTED|SIGNATURE_FAILURE)|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** PostgreSQL failures in words that say what to fix; SQLSTATE codes first, then Node's socket codes. */
export function pgError(e: unknown, url: URL, table: string): GroundedError {
  if (e instanceof GroundedError) return e;
  const err = asError(e);
  const code = String((err as { code?: unknown }).code ?? '');
  const server = `PostgreSQL at ${describeServer(url)}`;
  const setPassword = { title: 'Set Database Password', command: 'grounded.setDatabasePassword' };
  if (err.name === 'AbortError') return new GroundedError('cancelled', 'Cancelled.', { cause: e });
  if (code === '28P01' || code === '28000' || /password must be a string|SASL/i.test(err.message))
    return new GroundedError(
      'auth',
      `${server} rejected the user or password. Set the password with “Grounded: Set Database Password”.`,
      { cause: e, action: setPassword },
    );
  if (code === '42501')
    return new GroundedError(
      'auth',
      `The database user may not read or write ${table} on ${server}. Grant it access, or use another user.`,
      { cause: e },
    );
  if (code === '3D000')
    return new GroundedError(
      'bad-input',
      `${server} has no such database. Check the database name in the connection string.`,
      { cause: e },
    );
  if (code === '42P01')
    return new GroundedError(
      'index',
      `The table ${table} does not exist on ${server}. Push the workspace first: grounded index --target <url> --table ${table}.`,
      { cause: e },
    );
  if (code === '42703' || code === '42804')
    return new GroundedError(
      'index',
      `The table ${table} on ${server} does not have Grounded’s columns: name a table that grounded index --target created, or push into a new --table.`,
      { cause: e },
    );
  if (code === '58P01' || code === '0A000' || /extension "vector"/i.test(err.message))
    return new GroundedError(
      'index',
      `pgvector is not installed on ${server}. Install the extension there, or push without embeddings.`,
      { cause: e },
    );
  // pg checks the certificate for every sslmode (require and verify-ca as verify-full): a server whose certificate
  // comes from its own CA (RDS, Supabase, a self-signed one) is refused until the connection string names that CA.
  if (UNTRUSTED_CERTIFICATE.test(code))
    return new GroundedError(
      'bad-input',
      `${server} sent a TLS certificate that could not be verified (${err.message}). Add sslrootcert=<the server's CA certificate file> to the connection string, or uselibpqcompat=true to encrypt without verifying the server, as libpq's sslmode=require does.`,
      { cause: e },
    );
  if (/does not support SSL/i.test(err.message))
    return new GroundedError(
      'bad-input',
      `${server} does not accept TLS connections, which sslmode asks for. Turn TLS on at the server; for a cleartext connection, remove sslmode from the connection string and set ${ALLOW_INSECURE_SETTING} (--allow-insecure in the CLI).`,
      { cause: e },
    );
  if (code === '57014' || /timeout|timed out/i.test(err.message))
    return new GroundedError('timeout', `${server} did not answer in time. Retry, or check the server’s load.`, {
      cause: e,
    });
  if (
    SQLSTATE_NETWORK.has(code) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ECONNRESET|EPIPE|terminated|Connection/i.test(
      code + ' ' + err.message,
    )
  )
    return new GroundedError(
      'network',
      `${server} could not be reached (${code || 'connection lost'}). Check the connection string and that the server is running.`,
      { cause: e },
    );
  return new GroundedError('unknown', `${server} failed a query. See the “Grounded” output for details.`, { cause: e });
}
