import { GroundedError } from '../core/errors';
import type { Retriever } from '../core/ports';
import type { WorkspaceIndexConfig } from '../index';
import {
  createRemoteRetriever,
  REMOTE_RETRIEVER_KINDS,
  type RemoteRetrieverKind,
  type SettingNames,
} from '../retrievers/createRetriever';
import { foldersByPath, locatePushedPath } from '../retrievers/locatePushedPath';
import type { LocalRetriever } from '../retrievers/localRetriever';
import { DEFAULT_TABLE } from '../retrievers/pgvectorConnection';
import { originOf } from '../providers/secretOrigin';
import { passwordInArgumentWarning } from './cliArgs';
import type { CliIo } from './cliIo';
import { EMBEDDINGS_OPTIONS, embedderFromArgs } from './embedderArgs';
import { modelKeyFor } from './modelKey';
import { openIndex } from './openIndex';
import { settingFlags } from './terminalError';

/** The flags `search` and `ask` share to choose the retriever: the folder's stored index, pgvector or Databricks Vector Search. */
export const RETRIEVER_OPTIONS = {
  retriever: { type: 'string', default: 'local' },
  store: { type: 'string' },
  'connection-string': { type: 'string', default: '' },
  table: { type: 'string', default: DEFAULT_TABLE },
  'workspace-url': { type: 'string', default: '' },
  index: { type: 'string', default: '' },
  endpoint: { type: 'string', default: '' },
  'query-type': { type: 'string', default: 'ANN' },
  ...EMBEDDINGS_OPTIONS,
} as const;

/** The options only a remote engine reads, with their values when they are not given. */
const REMOTE_ONLY_DEFAULTS = {
  'connection-string': '',
  'workspace-url': '',
  index: '',
  table: DEFAULT_TABLE,
  endpoint: '',
  'query-type': 'ANN',
  'embeddings-model': undefined,
  'embeddings-base-url': '',
  'embeddings-preset': 'custom',
} as const;

export const RETRIEVER_USAGE =
  '[--store DIR | --retriever pgvector --connection-string postgres://USER@HOST/DB?sslmode=require [--table NAME] | --retriever databricks-vector-search --workspace-url URL --index CATALOG.SCHEMA.INDEX [--endpoint NAME] [--query-type ANN|HYBRID]] [--embeddings-model NAME --embeddings-base-url URL]';

const CLI_NAMES: SettingNames = {
  retriever: '--retriever',
  connectionString: '--connection-string',
  workspaceUrl: '--workspace-url',
};

export interface RetrieverValues {
  retriever: string;
  store?: string;
  'connection-string': string;
  table: string;
  'workspace-url': string;
  index: string;
  endpoint: string;
  'query-type': string;
  'embeddings-model'?: string;
  'embeddings-base-url': string;
  'embeddings-preset': string;
  'allow-insecure': boolean;
  /** The model endpoint of `ask` and `mcp`, whose key (GROUNDED_API_KEY) is sent only to its own origin. */
  'base-url'?: string;
}

/** A retriever for one command, and what to do when the command is done with it. */
export interface OpenedRetriever {
  retriever: Retriever;
  /** The folders' local index, when it is the retriever. */
  local?: LocalRetriever;
  /**
   * Saves what the search changed in the stored index (local), or closes the connection (remote). `stopSync`: stop
   * a sync in progress instead of waiting for it (a server whose client left; the next start syncs again).
   */
  close(options?: { stopSync?: boolean }): Promise<void>;
}

/**
 * The retriever the flags name: the folders' stored index (as `grounded index` keeps it), or a remote engine built
 * by the same factory as the extension's. Secrets come from the environment, never from arguments: the PostgreSQL
 * password from PGPASSWORD, the Databricks token from DATABRICKS_TOKEN (only for DATABRICKS_HOST's workspace when that is
 * set; else GROUNDED_API_KEY when `--base-url` is the same workspace). `watch`: the
 * local index's sync progress and changes, for a command that keeps running; without it, a sync's progress goes to
 * stderr (see openIndex).
 */
export async function retrieverFromArgs(
  values: RetrieverValues,
  folders: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv,
  usage: string,
  watch?: Pick<WorkspaceIndexConfig, 'onProgress' | 'onChange'>,
): Promise<OpenedRetriever> {
  const kind = values.retriever;
  // the local index ranks by keywords alone: an option only a remote engine reads would be ignored without a word
  const remoteFlag = (Object.keys(REMOTE_ONLY_DEFAULTS) as (keyof typeof REMOTE_ONLY_DEFAULTS)[]).find(
    flag => values[flag] !== REMOTE_ONLY_DEFAULTS[flag],
  );
  if (kind === 'local' && remoteFlag)
    throw new GroundedError(
      'bad-input',
      `--${remoteFlag} is for a remote engine; the local index does not use it. Add --retriever pgvector or databricks-vector-search. Usage: ${usage}`,
    );
  if (kind !== 'local' && values.store !== undefined)
    throw new GroundedError(
      'bad-input',
      `--store is where the local index is kept; --retriever ${kind} searches the remote engine instead. Usage: ${usage}`,
    );
  if (kind === 'local') {
    const local = await openIndex(folders, values.store, io, watch);
    return {
      retriever: local,
      local,
      close: async ({ stopSync = false } = {}) => {
        if (stopSync) local.cancel();
        else await local.flush();
        local.dispose();
      },
    };
  }
  if (!isRemoteKind(kind))
    throw new GroundedError(
      'bad-input',
      `--retriever is local, pgvector or databricks-vector-search, not “${kind}”. Usage: ${usage}`,
    );
  if (kind === 'databricks-vector-search' && !values.index.trim())
    throw new GroundedError(
      'bad-input',
      `--retriever databricks-vector-search needs --index CATALOG.SCHEMA.INDEX. Usage: ${usage}`,
    );
  const queryType = values['query-type'];
  if (queryType !== 'ANN' && queryType !== 'HYBRID')
    throw new GroundedError('bad-input', `--query-type is ANN or HYBRID, not “${queryType}”.`);
  const allowInsecure = values['allow-insecure'];
  const warning = kind === 'pgvector' && passwordInArgumentWarning('--connection-string', values['connection-string']);
  if (warning) io.err(warning);
  const remote = await createRemoteRetriever(
    {
      kind,
      allowInsecure,
      pgvector: { connectionString: values['connection-string'], table: values.table },
      databricks: {
        workspaceUrl: values['workspace-url'],
        indexName: values.index,
        endpointName: values.endpoint,
        queryType,
        columns: { text: 'text', path: 'path', startLine: 'start_line', endLine: 'end_line', title: '' },
      },
    },
    {
      names: CLI_NAMES,
      secrets: {
        pgvectorPassword: async () => env.PGPASSWORD || undefined,
        databricksToken: async origin => databricksTokenFor(env, values['base-url'], origin),
      },
      embedder: await embedderFromArgs(values, env, io),
      locate: locatePushedPath(foldersByPath(folders)),
      folders: () => folders,
      onNotice: message => io.err(`grounded: ${settingFlags(message)}\n`),
      onRetry: detail => io.err(`grounded: ${settingFlags(detail)}\n`),
    },
  );
  return { retriever: remote, close: async () => void (await remote.dispose?.()) };
}

/**
 * The Databricks token for a request to the workspace at `origin`: DATABRICKS_TOKEN, else GROUNDED_API_KEY when
 * `--base-url` is that workspace (`modelKeyFor`). Databricks' own tools pair DATABRICKS_TOKEN with DATABRICKS_HOST: when
 * that names another workspace, the token is that workspace's and is not sent to this one; GROUNDED_API_KEY still is,
 * when it is this workspace's, and without it the refusal says why no token was sent.
 */
export function databricksTokenFor(
  env: NodeJS.ProcessEnv,
  baseUrl: string | undefined,
  origin: string,
): string | undefined {
  const token = env.DATABRICKS_TOKEN;
  const host = env.DATABRICKS_HOST?.trim();
  if (token && (!host || originOf(host) === origin)) return token;
  const modelKey = modelKeyFor(env, baseUrl, origin);
  if (!token || modelKey) return modelKey;
  throw new GroundedError(
    'auth',
    `DATABRICKS_TOKEN was not sent to ${origin}: DATABRICKS_HOST says it is the token of ${originOf(host ?? '') ?? host}. Point --workspace-url at that workspace, or set DATABRICKS_HOST and DATABRICKS_TOKEN for ${origin}.`,
  );
}

const isRemoteKind = (kind: string): kind is RemoteRetrieverKind =>
  (REMOTE_RETRIEVER_KINDS as readonly string[]).includes(kind);
