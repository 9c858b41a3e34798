import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Client } from 'pg';

/** A PostgreSQL with pgvector for tests: PGlite (Postgres in WebAssembly) served on a loopback port. */
export interface TestPostgres {
  /** A `postgres://` URL the `pg` client connects to. */
  url: string;
  /** Connections the server takes at once (PGlite's socket server queues their queries on one backend). */
  maxConnections: number;
  /**
   * Runs a query that reads the server's state (pg_locks) without waiting for a client's open transaction, which
   * PGlite's socket server makes every other connection wait for: on PGlite, on its one backend directly (inside
   * the transaction a client has open there); on a real server, on a connection of its own.
   */
  peek<R>(sql: string): Promise<R[]>;
  close(): Promise<void>;
}

const pgliteVersion = (
  JSON.parse(readFileSync(join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const MAX_CONNECTIONS = 8;
const SNAPSHOT = join(tmpdir(), `grounded-pglite-${pgliteVersion}-vector.tar`);

/**
 * `GROUNDED_TEST_PG_URL` when set (a real server; tests use their own table names), else PGlite + pgvector over
 * `pglite-socket` on 127.0.0.1. Creating a PGlite cluster runs initdb (~8 s); loading a saved data directory
 * takes ~1.5 s, so the first run saves one in the temp folder and later runs start from it.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.GROUNDED_TEST_PG_URL;
  if (external)
    return {
      url: external,
      maxConnections: 4,
      peek: async <R>(sql: string) => {
        const client = new Client({ connectionString: external });
        await client.connect();
        try {
          return (await client.query(sql)).rows as R[];
        } finally {
          await client.end();
        }
      },
      close: async () => undefined,
    };
  const db = existsSync(SNAPSHOT)
    ? await PGlite.create({ extensions: { vector }, loadDataDir: new Blob([await readFile(SNAPSHOT)]) })
    : await createAndSnapshot();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: MAX_CONNECTIONS });
  await server.start();
  const port = server.getServerConn().split(':').pop() ?? '';
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    maxConnections: MAX_CONNECTIONS,
    peek: async <R>(sql: string) => (await db.query<R>(sql)).rows,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function createAndSnapshot(): Promise<PGlite> {
  const db = await PGlite.create({ extensions: { vector } });
  const dump = await db.dumpDataDir('none');
  await mkdir(tmpdir(), { recursive: true });
  const partial = `${SNAPSHOT}.${process.pid}`;
  await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
  await rename(partial, SNAPSHOT); // atomic: a parallel run never reads half a snapshot
  return db;
}
