import { join } from 'node:path';
import * as vscode from 'vscode';
import { GroundedError, isAbort } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import type { Embedder } from '../embeddings/embedder';
import type { EmbeddingsSettings } from '../embeddings/embeddingsEndpoint';
import { DEFAULT_AZURE_API_VERSION, DEFAULT_PRESET, isPresetId } from '../providers/presets';
import type { HybridRetriever } from '../retrievers/hybridRetriever';
import { foldersByPath, locatePushedPath } from '../retrievers/locatePushedPath';
import type { RemoteRetrieverSettings, RetrieverKind } from '../retrievers/createRetriever';
import { logFailureOnce } from './failureLog';
import { loadCore } from './loadCore';
import { diskFolders } from './settings';
import { ApiKeyStore, type BoundSecrets } from './secrets';
import { indexRules } from './workspaceIndexService';

export type { RetrieverKind } from '../retrievers/createRetriever';

/** `grounded.retriever` and the settings of the engine it names, read fresh for every search. */
export interface RetrieverSettings extends Omit<RemoteRetrieverSettings, 'kind'> {
  kind: RetrieverKind;
  fallbackToLocal: boolean;
  /** Used when `model` is set: pgvector's vector ranking, Databricks' query_vector (self-managed embeddings). */
  embeddings: EmbeddingsSettings;
}

export const DATABASE_PASSWORD_SECRET = 'grounded.pgvector.password';

const SET_DATABASE_PASSWORD = { title: 'Set Database Password', command: 'grounded.setDatabasePassword' };
const SET_DATABRICKS_TOKEN = { title: 'Set Databricks Token', command: 'grounded.setDatabricksToken' };
const SET_EMBEDDINGS_API_KEY = { title: 'Set Embeddings API Key', command: 'grounded.setEmbeddingsApiKey' };

export function readRetrieverSettings(): RetrieverSettings {
  const c = vscode.workspace.getConfiguration('grounded');
  const kind = c.get<string>('retriever', 'local');
  const preset = c.get<string>('embeddings.preset', DEFAULT_PRESET);
  const allowInsecure = c.get<boolean>('allowInsecureConnections', false);
  return {
    kind: kind === 'pgvector' || kind === 'databricks-vector-search' ? kind : 'local',
    fallbackToLocal: c.get<boolean>('fallbackToLocalIndex', false),
    allowInsecure,
    pgvector: {
      connectionString: c.get<string>('pgvector.connectionString', ''),
      table: c.get<string>('pgvector.table', 'grounded_chunks'),
    },
    databricks: {
      workspaceUrl: c.get<string>('databricksVectorSearch.workspaceUrl', ''),
      indexName: c.get<string>('databricksVectorSearch.indexName', ''),
      endpointName: c.get<string>('databricksVectorSearch.endpointName', ''),
      queryType: c.get<string>('databricksVectorSearch.queryType', 'ANN') === 'HYBRID' ? 'HYBRID' : 'ANN',
      columns: {
        text: c.get<string>('databricksVectorSearch.textColumn', 'text'),
        path: c.get<string>('databricksVectorSearch.pathColumn', 'path'),
        startLine: c.get<string>('databricksVectorSearch.startLineColumn', 'start_line'),
        endLine: c.get<string>('databricksVectorSearch.endLineColumn', 'end_line'),
        title: c.get<string>('databricksVectorSearch.titleColumn', ''),
      },
    },
    embeddings: {
      preset: isPresetId(preset) ? preset : DEFAULT_PRESET,
      baseUrl: c.get<string>('embeddings.baseUrl', ''),
      model: c.get<string>('embeddings.model', ''),
      azureApiVersion: c.get<string>('embeddings.azureApiVersion', DEFAULT_AZURE_API_VERSION),
      allowInsecure,
    },
  };
}

/**
 * The retriever every surface asks: the local index, or the remote engine `grounded.retriever` names, built from
 * settings and SecretStorage (rebuilt when either changes: both are read for every search, and the secrets are
 * released to the engine's origin only when it is built; the engines' code is loaded on first use). When the
 * remote engine fails and `grounded.fallbackToLocalIndex` is on, the local index answers and the log says why.
 */
export class ConfiguredRetriever implements Retriever, vscode.Disposable {
  private cached: { signature: string; retriever: Retriever & { dispose?(): unknown } } | undefined;
  /**
   * The local hybrid for its settings, shared by every search from the moment it is first asked for (two searches of
   * its first embedding share one retriever and one sync), with where its first sync stands: `running` with its
   * progress shown, `cancelled` (the question that started it was: the next search starts it again), or `over`.
   */
  private hybridCached:
    | {
        signature: string;
        retriever: Promise<{ hybrid: HybridRetriever; model: string } | undefined>;
        firstSync?: 'running' | 'cancelled' | 'over';
        report?: (p: { done: number; total: number }) => void;
      }
    | undefined;
  private readonly keys: ApiKeyStore;
  /** Aborted on dispose: embedding the workspace for the local hybrid stops when the extension deactivates. */
  private readonly closing = new AbortController();

  constructor(
    /** The local index (`ready`: its sync in progress, which the local hybrid waits for before embedding). */
    private readonly local: Retriever & { ready?(): Promise<unknown>; stats?(): { builtAt: number } | undefined },
    private readonly secrets: BoundSecrets,
    private readonly log: vscode.LogOutputChannel,
    /** Where the local hybrid keeps its vectors (workspace storage); none: memory only. */
    private readonly storageDir?: string,
    /** The local index's extracted PDFs and Word documents, which the local hybrid embeds too. */
    private readonly documentCache?: () => string | undefined,
  ) {
    this.keys = new ApiKeyStore(secrets);
  }

  /** The local index's term weights while it is the retriever; a remote engine's citations weigh by the passages. */
  async termWeights(texts: readonly string[]): Promise<((term: string) => number) | undefined> {
    return readRetrieverSettings().kind === 'local' ? this.local.termWeights?.(texts) : undefined;
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    const settings = readRetrieverSettings();
    if (settings.kind === 'local') {
      const hybrid = settings.embeddings.model.trim()
        ? await this.hybrid(settings.embeddings, options.signal)
        : undefined;
      return hybrid ? hybrid.search(query, options) : this.local.search(query, options);
    }
    try {
      // kind is narrowed to a remote engine here
      return await (await this.remote({ ...settings, kind: settings.kind })).search(query, options);
    } catch (e) {
      if (!settings.fallbackToLocal || isAbort(e) || options.signal?.aborted) throw e;
      // the cause chain says why (a socket code, the server's reply), as every surface logs a failure
      const failure =
        e instanceof GroundedError
          ? e
          : new GroundedError('unknown', e instanceof Error ? e.message : String(e), { cause: e });
      logFailureOnce(
        this.log,
        `${settings.kind} search (the local index answers instead: grounded.fallbackToLocalIndex)`,
        failure,
      );
      return this.local.search(query, options);
    }
  }

  dispose(): void {
    this.closing.abort();
    this.drop();
  }

  private drop(): void {
    void this.cached?.retriever.dispose?.();
    this.cached = undefined;
    this.hybridCached = undefined;
  }

  /**
   * The local hybrid (`grounded.embeddings.model` set, retriever local): BM25 from the local index fused with cosine
   * over the chunks' embeddings. The first search embeds the workspace, with progress; vectors are kept by content
   * hash in workspace storage, so later windows embed only what changed.
   */
  private async hybrid(settings: EmbeddingsSettings, signal?: AbortSignal): Promise<Retriever | undefined> {
    const storedKey = await this.keys.peek(settings.preset);
    const folders = diskFolders().map(f => f.uri.fsPath);
    const signature = JSON.stringify([settings, storedKey, folders]);
    let cached = this.hybridCached;
    if (cached?.signature !== signature) {
      const entry: NonNullable<typeof cached> = { signature, retriever: Promise.resolve(undefined) };
      entry.retriever = this.createHybrid(settings, storedKey, folders, p => entry.report?.(p));
      cached = this.hybridCached = entry;
    }
    const created = await cached.retriever.catch((e: unknown) => {
      if (this.hybridCached === cached) this.hybridCached = undefined;
      throw e;
    });
    if (!created) {
      if (this.hybridCached === cached) this.hybridCached = undefined;
      return undefined;
    }
    // the search joins this sync as any other (an agent's waits SearchOptions.firstSyncWaitMs at most)
    if (cached.firstSync !== 'running' && cached.firstSync !== 'over')
      this.embedWorkspace(cached, created.hybrid, created.model, signal);
    return created.hybrid;
  }

  private async createHybrid(
    settings: EmbeddingsSettings,
    storedKey: string | undefined,
    folders: string[],
    onProgress: (p: { done: number; total: number }) => void,
  ): Promise<{ hybrid: HybridRetriever; model: string } | undefined> {
    const embedder = await this.embedder(settings, storedKey);
    if (!embedder) return undefined;
    const { HybridRetriever } = await loadCore();
    const hybrid = new HybridRetriever({
      lexical: this.local,
      embedder,
      folders: () => folders,
      rules: indexRules,
      documentCache: this.documentCache,
      storeFile: this.storageDir && join(this.storageDir, 'vectors.bin'),
      onProgress,
      // logged as the fallback to the local index is (the search's own notice is its retrieve step's detail)
      onNotice: message => this.log.warn(`local hybrid: ${message}`),
    });
    return { hybrid, model: embedder.model };
  }

  /**
   * The hybrid's first sync, with its progress shown in the status bar; the searches join it. It goes on after a
   * search that stopped waiting for it, and stops with the question that started it (the next search starts it
   * again) or with deactivation.
   */
  private embedWorkspace(
    cached: NonNullable<ConfiguredRetriever['hybridCached']>,
    hybrid: HybridRetriever,
    model: string,
    signal: AbortSignal | undefined,
  ): void {
    cached.firstSync = 'running';
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Grounded: embedding the workspace (${model})` },
      async progress => {
        cached.report = ({ done, total }) => progress.report({ message: `${done}/${total} files` });
        try {
          const { chunks, embedded } = await hybrid.sync(stop);
          cached.firstSync = 'over';
          this.log.info(
            `local hybrid ready: ${chunks} chunks, ${embedded} embedded now (the rest from the vector store)`,
          );
        } catch (e) {
          if (isAbort(e) || stop.aborted) {
            cached.firstSync = 'cancelled';
            return;
          }
          // The embeddings endpoint failed: the hybrid remembers it, so the searches of the next minute answer by
          // keywords at once.
          cached.firstSync = 'over';
          this.log.warn(`local hybrid: embedding the workspace failed: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          cached.report = undefined;
        }
      },
    );
  }

  private async remote(settings: RetrieverSettings & RemoteRetrieverSettings): Promise<Retriever> {
    // peeked for the signature; released by the factory, to the origin the engine is built for
    const password = settings.kind === 'pgvector' ? await this.secrets.peek(DATABASE_PASSWORD_SECRET) : undefined;
    const token = settings.kind === 'databricks-vector-search' ? await this.keys.peek('databricks') : undefined;
    const embeddingsKey = settings.embeddings.model.trim()
      ? await this.keys.peek(settings.embeddings.preset)
      : undefined;
    const signature = JSON.stringify([
      settings,
      password,
      token,
      embeddingsKey,
      vscode.workspace.workspaceFolders?.map(f => f.uri.toString()),
    ]);
    if (this.cached?.signature === signature) return this.cached.retriever;
    this.drop();
    const { createRemoteRetriever } = await loadCore();
    const retriever = await createRemoteRetriever(settings, {
      embedder: await this.embedder(settings.embeddings, embeddingsKey),
      // named by the last part of their paths, as `grounded push` names them, not by the names a .code-workspace gives
      locate: locatePushedPath(foldersByPath(diskFolders().map(f => f.uri.fsPath))),
      folders: () => diskFolders().map(f => f.uri.fsPath),
      onRetry: detail => this.log.info(detail),
      onNotice: message => this.log.warn(message),
      secrets: {
        pgvectorPassword: origin =>
          password
            ? this.secrets.releaseTo(DATABASE_PASSWORD_SECRET, {
                name: 'the PostgreSQL password',
                origin,
                setting: 'grounded.pgvector.connectionString',
                setCommand: SET_DATABASE_PASSWORD,
              })
            : Promise.resolve(undefined),
        databricksToken: origin =>
          token
            ? this.keys.keyFor('databricks', {
                origin,
                setting: 'grounded.databricksVectorSearch.workspaceUrl',
                setCommand: SET_DATABRICKS_TOKEN,
              })
            : Promise.resolve(undefined),
      },
    });
    this.cached = { signature, retriever };
    return retriever;
  }

  /** `storedKey`: the key SecretStorage holds for the preset; it is released to the endpoint's origin only. */
  private async embedder(settings: EmbeddingsSettings, storedKey: string | undefined): Promise<Embedder | undefined> {
    if (!settings.model.trim()) return undefined;
    const { createEmbedder } = await loadCore();
    return createEmbedder(settings, {
      apiKey: origin =>
        storedKey
          ? this.keys.keyFor(settings.preset, {
              origin,
              setting: 'grounded.embeddings.baseUrl',
              setCommand: SET_EMBEDDINGS_API_KEY,
            })
          : Promise.resolve(undefined),
      onRetry: d => this.log.info(d),
      inputLimitsFile: this.storageDir && join(this.storageDir, 'embedding-limits.json'),
    });
  }
}
