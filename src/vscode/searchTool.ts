import * as vscode from 'vscode';
import { GroundedError, isAbort } from '../core/errors';
import type { AgentSearchResult } from '../core/agentSearch';
import type { Retriever } from '../core/ports';
import { logFailureOnce } from './failureLog';
import type { Core } from './loadCore';

/** The tool's name in package.json's `languageModelTools` (`#grounded` in a chat prompt). */
export const SEARCH_TOOL_NAME = 'grounded_search';

/** As the manifest's schema declares it; checked again (agentSearchInput), since a caller may skip the schema. */
export interface SearchToolInput {
  query?: unknown;
  maxResults?: unknown;
}

export interface SearchToolDeps {
  /** The configured retriever: the local index, the local hybrid, pgvector or Databricks Vector Search. */
  retriever: Retriever;
  /** The core, loaded at the first call (the checks and the formatting live there). */
  loadCore(): Promise<Pick<Core, 'agentSearch' | 'agentSearchInput'>>;
  log: { warn(message: string): void };
  /** The secret values the extension holds (peeked, for redaction only): none of them reaches the log. */
  heldSecrets?(): Promise<readonly (string | undefined)[]>;
  /**
   * True while the search would wait for the local index's first build (nothing to search yet): minutes on a large
   * workspace, while the agent waits on a tool call. Such a search is given FIRST_BUILD_WAIT_MS, then the agent is
   * told to search again later.
   */
  firstBuild?: () => boolean;
  /** FIRST_BUILD_WAIT_MS unless a test says otherwise. */
  firstBuildWaitMs?: number;
}

/** How long a search waits for the index's first build before the agent is told to try again. */
export const FIRST_BUILD_WAIT_MS = 15_000;

export function registerSearchTool(deps: SearchToolDeps): vscode.Disposable {
  return vscode.lm.registerTool<SearchToolInput>(SEARCH_TOOL_NAME, createSearchTool(deps));
}

/**
 * `grounded_search` for any agent in VS Code: the ranked passages as text parts (a summary, then one part per passage
 * headed by its `path:start-end`, title and best-matching lines, its lines numbered), within the token budget VS Code
 * gives for the calling model. A cancel stops the search; bad input and search failures reach the agent as one sentence
 * it can act on.
 */
export function createSearchTool(deps: SearchToolDeps): vscode.LanguageModelTool<SearchToolInput> {
  return {
    prepareInvocation: ({ input }) => {
      const { query } = fieldsOf(input);
      return {
        invocationMessage:
          typeof query === 'string' && query.trim()
            ? `Searching the workspace with Grounded for “${clip(query.trim())}”`
            : 'Searching the workspace with Grounded',
      };
    },
    async invoke(options, token) {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      // a call cancelled before it began searches nothing
      if (token.isCancellationRequested) controller.abort();
      try {
        const searching = search(deps, options, token, controller);
        // the search stops at the abort when it can, but a step may not (a core still loading, a request the
        // retriever cannot take back): the agent's call ends at the cancel all the same
        const result = await untilCancelled(searching, token);
        return new vscode.LanguageModelToolResult(
          [result.summary, ...result.blocks].map(text => new vscode.LanguageModelTextPart(text)),
        );
      } catch (e) {
        if (token.isCancellationRequested || isAbort(e)) throw new vscode.CancellationError();
        // the agent reads the message, which may send the user to the output: the log gets the cause chain there,
        // redacted, as every surface writes a failure
        const error =
          e instanceof GroundedError
            ? e
            : new GroundedError('unknown', 'The workspace search failed; the “Grounded” output says why.', {
                cause: e,
              });
        const held = (await deps.heldSecrets?.().catch(() => undefined)) ?? [];
        logFailureOnce(deps.log, SEARCH_TOOL_NAME, error, held);
        throw new Error(error.message);
      } finally {
        cancel.dispose();
      }
    },
  };
}

/** Loads the core, checks the input and searches, within the first build's wait while the index is first built. */
async function search(
  deps: SearchToolDeps,
  options: vscode.LanguageModelToolInvocationOptions<SearchToolInput>,
  token: vscode.CancellationToken,
  controller: AbortController,
): Promise<AgentSearchResult> {
  const core = await deps.loadCore();
  const { query, maxResults } = fieldsOf(options.input);
  const input = core.agentSearchInput(query, maxResults);
  const tokenization = options.tokenizationOptions;
  const searching = core.agentSearch(deps.retriever, input, {
    signal: controller.signal,
    tokenBudget: tokenization?.tokenBudget,
    countTokens: tokenization && (text => Promise.resolve(tokenization.countTokens(text, token))),
  });
  return deps.firstBuild?.()
    ? await withinFirstBuildWait(searching, controller, deps.firstBuildWaitMs ?? FIRST_BUILD_WAIT_MS)
    : await searching;
}

/**
 * Settles as `work` does, or rejects with a CancellationError as soon as `token` is cancelled; `work` then runs on,
 * its outcome ignored.
 */
function untilCancelled<T>(work: Promise<T>, token: vscode.CancellationToken): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    if (token.isCancellationRequested) return reject(new vscode.CancellationError());
    const cancel = token.onCancellationRequested(() => reject(new vscode.CancellationError()));
    work.then(resolve, reject).finally(() => cancel.dispose());
  });
}

/**
 * The fields of what the caller sent: a caller that skips the schema may send no object at all (`null`, nothing, a
 * bare string), which then has none, so the checks say what is missing instead of the property read throwing.
 */
const fieldsOf = (input: unknown): SearchToolInput => (typeof input === 'object' && input !== null ? input : {});

/** The search, or, when the first build has not ended within `ms`, an error saying to search again. */
async function withinFirstBuildWait<T>(searching: Promise<T>, controller: AbortController, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<'waited'>(resolve => (timer = setTimeout(() => resolve('waited'), ms)));
  try {
    const first = await Promise.race([searching, waited]);
    if (first !== 'waited') return first;
    controller.abort();
    searching.catch(() => undefined);
    throw new GroundedError(
      'index',
      'Grounded is still building the workspace index for the first time; search again in a minute.',
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The query on one line (VS Code shows each line break of the message as a paragraph of its own), at most 80
 * characters, counted as code points so that an emoji or another astral character is never cut in two.
 */
const clip = (text: string): string => {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > 80 ? `${chars.slice(0, 79).join('')}…` : chars.join('');
};
