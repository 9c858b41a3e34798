import type { GroundedError } from '../core/errors';
import { isLoopbackHost } from '../core/secureTransport';
import { redactSecrets } from '../providers/redact';
import { sliceWhole } from '../shared/wholeCharacters';

const OUTPUT_HINT = / See the “Grounded” output for details(, then retry)?\./;
/** Environment variables whose values are secrets the CLI reads. */
const SECRET_VARIABLES = ['PGPASSWORD', 'DATABRICKS_TOKEN', 'GROUNDED_API_KEY', 'GROUNDED_EMBEDDINGS_API_KEY'];

/**
 * Who reads a message from the CLI: a person at a terminal, or an MCP client's agent, for whom the environment and
 * the flags are the server's (set in the client's configuration of it).
 */
export interface CliReader {
  /** Where the secrets' variables are set. */
  environment: string;
  /** Whose flags these are, before a flag's name ('' in a terminal). */
  flags: string;
}

export const TERMINAL: CliReader = { environment: 'the environment', flags: '' };
export const MCP_SERVER: CliReader = {
  environment: "the server's environment (the client's configuration of it)",
  flags: "the server's ",
};

/** What stands for a VS Code command that fixes a failure, by the command's id: an environment variable or flags. */
const COMMAND_FIXES: Readonly<Record<string, (reader: CliReader) => string>> = {
  'grounded.setApiKey': r => `Check GROUNDED_API_KEY in ${r.environment}.`,
  'grounded.setEmbeddingsApiKey': r => `Check GROUNDED_EMBEDDINGS_API_KEY (else GROUNDED_API_KEY) in ${r.environment}.`,
  'grounded.setDatabricksToken': r => `Check DATABRICKS_TOKEN in ${r.environment}.`,
  'grounded.setDatabasePassword': r => `Check PGPASSWORD in ${r.environment}.`,
  'grounded.testConnection': r => `Check ${r.flags}--base-url and --model.`,
};

/** The CLI's flag (or environment variable) for each setting a message may name. */
const SETTING_FLAGS: Readonly<Record<string, string>> = {
  'grounded.retriever': '--retriever',
  'grounded.model.baseUrl': '--base-url',
  'grounded.model.name': '--model',
  'grounded.model.helperModel': '--helper-model',
  'grounded.model.maxInputTokens': '--max-input-tokens',
  'grounded.embeddings.model': '--embeddings-model',
  'grounded.embeddings.baseUrl': '--embeddings-base-url',
  'grounded.embeddings.preset': '--embeddings-preset',
  'grounded.embeddings.azureApiVersion': 'GROUNDED_AZURE_API_VERSION',
  'grounded.pgvector.connectionString': '--connection-string',
  'grounded.pgvector.table': '--table',
  'grounded.databricksVectorSearch.workspaceUrl': '--workspace-url',
  'grounded.databricksVectorSearch.indexName': '--index',
  'grounded.databricksVectorSearch.endpointName': '--endpoint',
  'grounded.databricksVectorSearch.queryType': '--query-type',
  'grounded.allowInsecureConnections': '--allow-insecure',
};

/** A sentence that sends the reader to VS Code: a command (“Grounded: Set API Key”) or the “Grounded” output. */
const VSCODE_POINTER = /“Grounded(?::[^”]*)?”/;

/**
 * Settings the CLI has no flag for: the index's (what it reads, and its limits). A sentence naming one is advice a
 * reader of the CLI cannot follow, so it is left out, and a setting named in brackets beside what it sets is dropped;
 * the index's messages say in a sentence of their own what works everywhere (a .groundedignore in the folder).
 */
const FLAGLESS_SETTING = /\bgrounded\.index\.\w+/;
const FLAGLESS_ASIDE = / \(grounded\.index\.\w+\)/g;

/**
 * `text` without the sentences `drop` picks (each kept sentence with the whitespace after it, so that what is kept
 * reads as it was written), and whether any was dropped.
 */
function withoutSentences(text: string, drop: (sentence: string) => boolean): { kept: string; dropped: boolean } {
  const parts = text.split(/(?<=[.!?])(\s+)/);
  let kept = '';
  let dropped = false;
  for (let i = 0; i < parts.length; i += 2) {
    if (drop(parts[i] ?? '')) dropped = true;
    else kept += (parts[i] ?? '') + (parts[i + 1] ?? '');
  }
  return { kept: kept.trimEnd(), dropped };
}

/**
 * A sentence that sends the reader to VS Code (VSCODE_POINTER), with the white space before it, where it may stand
 * inside brackets: a step or a notice quotes a failure's message (“Grading failed (The model call failed. See the
 * “Grounded” output for details, then retry.); using the top passages”), and only that sentence is to go. A full stop
 * that white space or a bracket does not follow (`grounded.model.baseUrl`, `api.example.com`) is within the sentence.
 */
const VSCODE_POINTER_SENTENCE =
  /\s*(?:[^.!?()]|[.!?](?=[^\s)]))*“Grounded(?::[^”]*)?”(?:[^.!?()]|[.!?](?=[^\s)]))*[.!?]/g;

/**
 * A text that names settings (`grounded.model.baseUrl`) with the CLI's flags instead (`--base-url`). A setting the
 * core names with its flag beside it (`grounded.allowInsecureConnections (--allow-insecure in the CLI)`) becomes the
 * flag alone. A setting the CLI has no flag for is left out with the sentence that names it (see FLAGLESS_SETTING),
 * and so is a sentence that sends the reader to a VS Code command or to the “Grounded” output, which a terminal and
 * an MCP client do not have.
 */
export function settingFlags(text: string): string {
  const inTheCli = text.replace(VSCODE_POINTER_SENTENCE, '').trim() || text;
  const followable =
    withoutSentences(inTheCli.replace(FLAGLESS_ASIDE, ''), s => FLAGLESS_SETTING.test(s)).kept || inTheCli;
  return followable.replace(
    /\b(grounded(?:\.\w+)+)(?: \(--[\w-]+ in the CLI\))?/g,
    (named: string, setting: string) => SETTING_FLAGS[setting] ?? named,
  );
}

/**
 * A failure's message in the CLI's words. The core writes for VS Code: a sentence that sends the reader to a command
 * or to the “Grounded” output is left out, the command's fix is said as what stands for it here (the environment
 * variable or the flags), and a setting is named by its flag. The cause the output would hold is for the caller to
 * give (see causeDetail).
 */
export function cliMessage(e: GroundedError, reader: CliReader, env: NodeJS.ProcessEnv = process.env): string {
  const { kept, dropped } = withoutSentences(e.message, s => VSCODE_POINTER.test(s));
  const fix = dropped && e.options.action ? COMMAND_FIXES[e.options.action.command]?.(reader) : undefined;
  return [settingFlags([kept, fix].filter(Boolean).join(' ') || e.message), networkHint(e, reader, env)]
    .filter(Boolean)
    .join(' ');
}

/** The variables that name a proxy for each scheme, in the order Node reads them. */
const PROXY_VARIABLES = { https: ['HTTPS_PROXY', 'https_proxy'], http: ['HTTP_PROXY', 'http_proxy'] };

/**
 * What the shell's environment may have to do with a failure to reach a host, which VS Code settles for the extension
 * (its proxy and certificate settings) and Node leaves to the CLI's user:
 * - behind a proxy, Node's fetch goes direct unless NODE_USE_ENV_PROXY=1 tells it to use HTTPS_PROXY (Node 22.21
 *   or 24 and later), so every endpoint outside looks unreachable while curl, which reads HTTPS_PROXY, gets through;
 * - a proxy that inspects TLS signs with its organisation's own certificate authority, which Node does not trust
 *   unless NODE_EXTRA_CA_CERTS names its file.
 * Nothing for a host on this machine or one NO_PROXY names (no proxy stands between), for PostgreSQL, or for a
 * failure that is not the connection's. The host and scheme are the URL the message names, when it names one.
 */
export function networkHint(e: GroundedError, reader: CliReader, env: NodeJS.ProcessEnv): string | undefined {
  // PostgreSQL's own protocol goes through no HTTP proxy, and its certificates are the connection string's to name
  if ((e.kind !== 'network' && e.kind !== 'timeout') || e.message.startsWith('PostgreSQL')) return undefined;
  const url = /\b(https?):\/\/(\[[^\]]*\]|[^\s/:?#'"”]+)/i.exec(e.message);
  const scheme = url?.[1]?.toLowerCase() as 'http' | 'https' | undefined;
  const host = url?.[2]?.toLowerCase();
  if (host && (isLoopbackHost(host) || bypassesProxy(host, env.NO_PROXY ?? env.no_proxy ?? ''))) return undefined;
  if (/certificate/i.test(e.message))
    return env.NODE_EXTRA_CA_CERTS
      ? undefined
      : `If your organisation's proxy signs the connection, set NODE_EXTRA_CA_CERTS in ${reader.environment} to its certificate authority's file.`;
  const variables = scheme ? PROXY_VARIABLES[scheme] : [...PROXY_VARIABLES.https, ...PROXY_VARIABLES.http];
  const proxy = variables.find(v => env[v]?.trim());
  const proxied =
    env.NODE_USE_ENV_PROXY === '1' ||
    [...process.execArgv, env.NODE_OPTIONS ?? ''].some(a => a.includes('--use-env-proxy'));
  if (!proxy || proxied) return undefined;
  return `${proxy} is set in ${reader.environment}, but Node.js goes through it only with NODE_USE_ENV_PROXY=1 (Node.js 22.21, or 24 and later).`;
}

/**
 * Whether NO_PROXY (`localhost,.corp.example,10.0.0.5`, comma- or space-separated; `*` for every host) names `host`:
 * the host itself, or a domain it is in (`.corp.example` and `corp.example` alike).
 */
function bypassesProxy(host: string, noProxy: string): boolean {
  return noProxy
    .split(/[\s,]+/)
    .map(entry => entry.trim().toLowerCase().replace(/:\d+$/, ''))
    .some(entry => {
      if (entry === '*') return true;
      const domain = entry.replace(/^\*?\./, '');
      return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
    });
}

/**
 * A failure as the CLI prints it to stderr, in the CLI's words (cliMessage). A terminal has no “Grounded” output
 * channel, so when the message sends the reader there (or names no reason: kind `unknown`), the cause that would be
 * logged there is printed on the next line: its chain of messages with their codes (a SQLSTATE, a socket code),
 * redacted.
 */
export function terminalError(e: GroundedError): string {
  const detail = causeDetail(e);
  return `grounded: ${cliMessage(e, TERMINAL)}\n${detail ? `grounded: cause: ${detail}\n` : ''}`;
}

/**
 * The cause a message that sends the reader to the “Grounded” output (or names no reason: kind `unknown`) leaves
 * out, as one line: its chain of messages with their codes, redacted; undefined for any other message.
 */
export function causeDetail(e: GroundedError): string | undefined {
  if (e.kind !== 'unknown' && !OUTPUT_HINT.test(e.message)) return undefined;
  const parts: string[] = [];
  for (let cause: unknown = e.options.cause, depth = 0; cause !== undefined && cause !== null && depth < 3; depth++) {
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      parts.push(`${cause.message}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}`);
      cause = cause.cause;
    } else {
      parts.push(typeof cause === 'string' ? cause : JSON.stringify(cause));
      break;
    }
  }
  if (parts.length === 0) return undefined;
  // redacted whole, then cut (between whole characters): a secret the cut would split is no longer whole to be found
  return sliceWhole(redactSecrets(parts.join(' ← '), environmentSecrets()), 0, 600);
}

/**
 * A failure as one line of JSON, the last an `ask --json` answer's stream writes and the one any --json command
 * writes when it fails: its kind and its message in the CLI's words (never its cause, which may hold a body; the
 * cause goes to stderr, redacted, as without --json), and the answer written before it (`partial`, '' when none).
 */
export function jsonErrorLine(e: GroundedError, partial = ''): string {
  return JSON.stringify({ type: 'error', error: { kind: e.kind, message: cliMessage(e, TERMINAL) }, partial }) + '\n';
}

/** A failure the CLI did not expect, in one line (its message, without the stack), redacted like a cause. */
export function unexpectedMessage(e: unknown): string {
  return `unexpected failure: ${redactSecrets(e instanceof Error ? e.message : String(e), environmentSecrets())}`;
}

/** A failure the CLI did not expect, with its stack for a bug report, redacted like a cause. */
export function unexpectedError(e: unknown): string {
  return `grounded: unexpected failure: ${redactSecrets(e instanceof Error ? (e.stack ?? e.message) : String(e), environmentSecrets())}\n`;
}

const environmentSecrets = (): string[] => SECRET_VARIABLES.map(v => process.env[v]).filter((v): v is string => !!v);
