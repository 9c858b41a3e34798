import { parseArgs } from 'node:util';
import { GroundedError } from '../core/errors';
import { documentCacheDir } from '../index';
import { requireSecureTransport } from '../core/secureTransport';
import { connectionUrl, DEFAULT_TABLE, tableNames } from '../retrievers/pgvectorConnection';
import { checkPushTarget, pushRows } from '../retrievers/pgvectorPush';
import { workspaceRowBatches, type PushRow } from '../retrievers/pgvectorPushRows';
import { passwordInArgumentWarning } from './cliArgs';
import type { CliIo } from './cliIo';
import { EMBEDDINGS_OPTIONS, embedderFromArgs } from './embedderArgs';
import { refuseUnnamedWideFolder, resolveFolders } from './folderArgs';
import { openIndex } from './openIndex';
import { defaultStoreDir, prepareStoreDir } from './storeDir';

export const PUSH_USAGE =
  'grounded index --target postgres://USER@HOST/DB?sslmode=require [--table NAME] [--folder DIR]... [--store DIR] [--rebuild] [--embeddings-model NAME --embeddings-base-url URL [--embeddings-preset ID]] [--allow-insecure] [--json]';

/**
 * `grounded index --target postgres://…`: updates the folders' local index (see `extractedDocuments`), then pushes its chunks (and their vectors, when an embeddings model is
 * given) into a PostgreSQL table, writing only what changed. The password comes from the URL or PGPASSWORD, the
 * embeddings key from GROUNDED_EMBEDDINGS_API_KEY; neither is ever printed.
 */
export async function pushCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      target: { type: 'string' },
      table: { type: 'string', default: DEFAULT_TABLE },
      folder: { type: 'string', multiple: true },
      store: { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      ...EMBEDDINGS_OPTIONS,
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.target) throw new GroundedError('bad-input', `Missing --target. Usage: ${PUSH_USAGE}`);
  const warning = passwordInArgumentWarning('--target', values.target);
  if (warning) io.err(warning);
  const allowInsecure = values['allow-insecure'];
  const folders = await resolveFolders(values.folder);
  refuseUnnamedWideFolder(values.folder, folders);
  const embedder = await embedderFromArgs(values, env, io);
  // what the push would refuse before connecting is refused before the local index is brought up to date, and so is
  // a server it cannot reach or that refuses the password
  tableNames(values.table);
  requireSecureTransport(connectionUrl({ connectionString: values.target }), allowInsecure);
  const target = { connectionString: values.target, password: env.PGPASSWORD, table: values.table, allowInsecure };
  await checkPushTarget(target);
  // the workspace is read a batch of files at a time, each sent before the next is read
  const found = await workspaceRowBatches(folders, {
    documentCache: await extractedDocuments(folders, values.store, io),
    signal: io.signal,
  });
  let files = 0;
  async function* rows(): AsyncGenerator<PushRow[], void, undefined> {
    for await (const batch of found.batches) {
      files += batch.length;
      yield batch.flatMap(file => file.rows);
    }
  }
  const report = await pushRows(target, rows(), {
    embedder,
    rebuild: values.rebuild,
    signal: io.signal,
    onProgress: message => io.err(`grounded: ${message}\n`),
    // a document that changed while it was read keeps the rows the table has for it
    keepPaths: found.notExtractedPaths,
  });
  const skipped = found.skipped();
  const notExtracted = found.notExtracted();
  if (notExtracted > 0)
    io.err(
      `grounded: ${notExtracted} PDF or Word documents changed while they were read, and are left out${report.kept > 0 ? ' (the table keeps what it held for them)' : ''}: push again.\n`,
    );
  if (values.json) {
    io.out(JSON.stringify({ folders, files, skipped, documentsLeftOut: notExtracted, ...report }, null, 2) + '\n');
    return 0;
  }
  io.out(`table     ${report.table}\n`);
  io.out(`files     ${files} (${skipped} skipped)\n`);
  io.out(`chunks    ${report.chunks}\n`);
  io.out(`written   ${report.written}\n`);
  io.out(`deleted   ${report.deleted}\n`);
  io.out(`unchanged ${report.unchanged}\n`);
  if (embedder) io.out(`embedded  ${report.embedded} (${report.embeddingsReused} vectors reused)\n`);
  io.out(`total     ${report.ms.toFixed(0)} ms\n`);
  return 0;
}

/**
 * The local index's extracted PDFs and Word documents, brought up to date first: the rows are the local index's
 * chunks (the same cells, pages and lines), and only its worker extracts documents. The store is the one
 * `grounded index` keeps for these folders (or --store), so an unchanged document is never extracted again.
 */
async function extractedDocuments(folders: readonly string[], store: string | undefined, io: CliIo): Promise<string> {
  const storeDir = await prepareStoreDir(store ?? defaultStoreDir(folders));
  const index = await openIndex(folders, storeDir, io);
  try {
    await index.refresh();
    await index.flush();
  } finally {
    index.dispose();
  }
  return documentCacheDir(storeDir);
}
