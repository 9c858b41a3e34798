import { GroundedError } from '../core/errors';
import type { Retriever } from '../core/ports';
import { requireSecureTransport } from '../core/secureTransport';
import type { Embedder } from '../embeddings/embedder';
import { originOf, postgresOrigin } from '../providers/secretOrigin';
import { withinFolders } from './withinFolders';

export type RemoteRetrieverKind = 'pgvector' | 'databricks-vector-search';
export type RetrieverKind = 'local' | RemoteRetrieverKind;

export const REMOTE_RETRIEVER_KINDS: readonly RemoteRetrieverKind[] = ['pgvector', 'databricks-vector-search'];

export interface PgvectorSettings {
  /** postgres://user@host:5432/database (the password is a secret, never in it). */
  connectionString: string;
  table: string;
}

export interface DatabricksVectorSearchSettings {
  workspaceUrl: string;
  /** catalog.schema.index */
  indexName: string;
  /** Needed only to page past 1,000 results; '' for none. */
  endpointName: string;
  queryType: 'ANN' | 'HYBRID';
  /** Column names; '' leaves an optional one out. */
  columns: { text: string; path: string; startLine: string; endLine: string; title: string };
}

/** A remote engine and its settings, as the extension's settings or the CLI's flags give them. */
export interface RemoteRetrieverSettings {
  kind: RemoteRetrieverKind;
  /** Cleartext (http, PostgreSQL without sslmode) to another machine is refused without it. */
  allowInsecure?: boolean;
  pgvector: PgvectorSettings;
  databricks: DatabricksVectorSearchSettings;
}

/** What names each setting in a message: `grounded.pgvector.connectionString` in VS Code, `--connection-string` in a terminal. */
export interface SettingNames {
  retriever: string;
  connectionString: string;
  workspaceUrl: string;
}

export const VSCODE_SETTING_NAMES: SettingNames = {
  retriever: 'grounded.retriever',
  connectionString: 'grounded.pgvector.connectionString',
  workspaceUrl: 'grounded.databricksVectorSearch.workspaceUrl',
};

/**
 * The engines' secrets, each released to the origin the engine is built for (the server the connection string
 * names, the workspace URL's origin): asked for only after the connection passed the TLS rule. Undefined: none set.
 */
export interface RetrieverSecrets {
  pgvectorPassword(origin: string): Promise<string | undefined>;
  databricksToken(origin: string): Promise<string | undefined>;
}

export interface RemoteRetrieverDeps {
  secrets: RetrieverSecrets;
  /** Embeds the question (pgvector's vector ranking, Databricks' query_vector); none: lexical, or managed embeddings. */
  embedder?: Embedder;
  /** Turns a pushed path into what a surface opens. */
  locate?: (path: string) => string;
  /** The workspace folders: a row whose file here lies outside them once links are followed is left out. */
  folders?: () => readonly string[];
  onNotice?: (message: string) => void;
  onRetry?: (detail: string) => void;
  names?: SettingNames;
}

export type DisposableRetriever = Retriever & { dispose?(): unknown };

/**
 * The remote engine `settings.kind` names, built from plain settings, so the extension and the CLI build it alike.
 * A cleartext connection to another machine is refused before any secret is asked for; a secret is released only
 * to the origin the engine connects to. The engines' code is loaded here, on first use.
 */
export async function createRemoteRetriever(
  settings: RemoteRetrieverSettings,
  deps: RemoteRetrieverDeps,
): Promise<DisposableRetriever> {
  const names = deps.names ?? VSCODE_SETTING_NAMES;
  if (settings.kind === 'pgvector') {
    const { connectionString, table } = settings.pgvector;
    if (!connectionString.trim())
      throw new GroundedError(
        'bad-input',
        `${names.retriever} is “pgvector” but ${names.connectionString} is empty: set it to postgres://user@host:5432/database.`,
      );
    const { PgvectorRetriever } = await import('./pgvectorRetriever.js');
    requireSecureTransport(connectionString, settings.allowInsecure ?? false);
    const origin = postgresOrigin(connectionString);
    const password = origin ? await deps.secrets.pgvectorPassword(origin) : undefined;
    return confined(
      new PgvectorRetriever({
        connectionString,
        table,
        allowInsecure: settings.allowInsecure,
        password,
        embedder: deps.embedder,
        locate: deps.locate,
        onNotice: deps.onNotice,
      }),
      `The table ${table}`,
      deps,
    );
  }
  const { workspaceUrl, indexName, endpointName, queryType, columns } = settings.databricks;
  if (!workspaceUrl.trim())
    throw new GroundedError(
      'bad-input',
      `${names.retriever} is “databricks-vector-search” but ${names.workspaceUrl} is empty.`,
    );
  const { DatabricksVectorSearchRetriever } = await import('./databricksVectorSearchRetriever.js');
  requireSecureTransport(workspaceUrl, settings.allowInsecure ?? false);
  const origin = originOf(workspaceUrl);
  const databricks = new DatabricksVectorSearchRetriever({
    workspaceUrl,
    indexName,
    endpointName: endpointName || undefined,
    queryType,
    token: origin === undefined ? undefined : await deps.secrets.databricksToken(origin),
    embedder: deps.embedder,
    locate: deps.locate,
    onRetry: deps.onRetry,
    onNotice: deps.onNotice,
    allowInsecure: settings.allowInsecure,
    columns: {
      text: columns.text,
      path: columns.path,
      startLine: columns.startLine || undefined,
      endLine: columns.endLine || undefined,
      title: columns.title || undefined,
    },
  });
  return confined(databricks, `Databricks Vector Search index ${indexName}`, deps);
}

/** The retriever, its rows kept within the workspace folders when they are known (see `withinFolders`). */
function confined<R extends Retriever>(retriever: R, source: string, deps: RemoteRetrieverDeps): R {
  return deps.folders ? withinFolders(retriever, deps.folders, { source, onNotice: deps.onNotice }) : retriever;
}
