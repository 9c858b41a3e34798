import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ask } from '../core/ask';
import { GroundedError } from '../core/errors';
import { MODEL_OPTIONS, modelsFromArgs } from './askCommand';
import type { CliIo } from './cliIo';
import { resolveFolders, unnamedWideFolder } from './folderArgs';
import { IndexKeeper } from './indexKeeper';
import { createMcpServer, notifyClient } from './mcpServer';
import { trackRequests } from './mcpDrain';
import { checkedLines } from './mcpStdin';
import { negotiatedVersion } from './mcpVersion';
import { cliMessage, MCP_SERVER } from './terminalError';
import {
  RETRIEVER_OPTIONS,
  RETRIEVER_USAGE,
  retrieverFromArgs,
  type OpenedRetriever,
  type RetrieverValues,
} from './retrieverArgs';

/** How long calls still running when the client closes stdin may take to finish before they are answered cancelled. */
export const DRAIN_MS = 60_000;

const USAGE = `grounded mcp [--folder DIR]... ${RETRIEVER_USAGE} [--base-url URL --model NAME [--helper-model NAME] [--max-input-tokens N]] [--no-grading]`;

export interface McpRunOptions {
  /** Where the protocol goes; default stdin and stdout. */
  transport?: Transport;
  /** Called with the function that stops the server once the client closed its input (stdin ended); tests call it. */
  onInputEnd?: (end: () => void) => void;
  /** How long calls still running when the input ends may take to finish; default DRAIN_MS. */
  drainMs?: number;
  /** Called once the server is connected, with a promise of the index built and watched (tests and the bench wait for it). */
  onConnected?: (session: { server: Server; indexed: Promise<void> }) => void;
}

/**
 * `grounded mcp`: Grounded as a Model Context Protocol server, for agents outside VS Code. It opens the folders'
 * stored index (as `search` keeps it) or the remote engine --retriever names, indexes on start (progress as logging
 * notifications), keeps the index current while it runs, and serves `search`, and `ask` when --base-url and --model
 * name a model. stdout carries nothing but the protocol; diagnostics go to stderr. A folder or retriever that cannot
 * be opened is said on stderr and answered to every tool call, rather than ending the server, so the client's agent
 * reads why. Runs until the client closes the connection or Ctrl-C; exit code 0. When the client closes stdin, the
 * calls still running are answered first (see trackRequests).
 */
export async function mcpCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  options: McpRunOptions = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      folder: { type: 'string', multiple: true },
      ...RETRIEVER_OPTIONS,
      ...MODEL_OPTIONS,
    },
  });
  if (positionals.length > 0)
    throw new GroundedError(
      'bad-input',
      `grounded mcp takes no query (its client sends them): unexpected "${positionals[0]}". Usage: ${USAGE}`,
    );
  const models = modelsFromArgs(values, env, USAGE);
  const log = (message: string) => io.err(`grounded mcp: ${message}\n`);
  const notices = new ClientNotices();
  const keeper = new IndexKeeper((level, message) => notices.say(level, message), log);
  const { opened, folders, problem } = await openRetriever(values, io, env, keeper.hooks).catch(
    (e: unknown): Opened => {
      if (!(e instanceof GroundedError)) throw e;
      const said = cliMessage(e, MCP_SERVER);
      log(said);
      notices.say('error', said);
      return { folders: [], problem: e };
    },
  );
  const retriever = opened?.retriever;
  const { model, helperModel, maxInputTokens, maxInputTokensSource } = models;
  const server = createMcpServer({
    retriever,
    problem,
    building: () => keeper.building(),
    ask:
      model && retriever
        ? (question, signal) =>
            ask(
              { question, signal },
              {
                retriever,
                model,
                helperModel,
                options: { grading: !values['no-grading'], maxInputTokens, maxInputTokensSource },
              },
            )
        : undefined,
    version: cliVersion(),
    log,
  });
  server.oninitialized = () => notices.connect(server);
  const closed = new Promise<void>(resolve => (server.onclose = resolve));
  const stop = () => void server.close();
  io.signal?.addEventListener('abort', stop, { once: true });
  // the client closing its input (stdin) is the stdio transport's shutdown: calls already sent are answered before
  // the server stops (within drainMs), so a client that writes its requests and closes stdin still reads the answers
  const inputEnded = () => void drain(options.drainMs ?? DRAIN_MS).then(stop);
  const transport = options.transport ?? stdioTransport(inputEnded, stop, log);
  const drain = trackRequests(transport);
  options.onInputEnd?.(inputEnded);
  await server.connect(transport);
  const indexed = opened?.local ? keeper.start(opened.local, folders) : Promise.resolve();
  options.onConnected?.({ server, indexed });
  await closed;
  io.signal?.removeEventListener('abort', stop);
  keeper.dispose();
  // the client is gone: a sync in progress (minutes, on a large workspace) is stopped, not waited for, so a client
  // that restarts its server does not find the old one still at work on the same store
  await opened?.close({ stopSync: true }).catch((e: unknown) => log(`the index could not be saved: ${String(e)}`));
  log('stopped: the connection closed');
  return 0;
}

interface Opened {
  opened?: OpenedRetriever;
  folders: string[];
  /** Why nothing could be opened (a folder that does not exist, a remote engine's settings). */
  problem?: GroundedError;
}

async function openRetriever(
  values: RetrieverValues & { folder?: string[] },
  io: CliIo,
  env: NodeJS.ProcessEnv,
  hooks: IndexKeeper['hooks'],
): Promise<Opened> {
  const folders = await resolveFolders(values.folder);
  if (values.retriever === 'local') refuseClientDirectory(values.folder, folders);
  return { opened: await retrieverFromArgs(values, folders, io, env, USAGE, hooks), folders };
}

/**
 * Without --folder the index is of the working directory, which a client chooses: many start their servers in the
 * filesystem root or the home folder, and indexing either serves every file there to the agent (see
 * unnamedWideFolder). Such a directory is refused, saying what to add.
 */
function refuseClientDirectory(values: readonly string[] | undefined, folders: readonly string[]): void {
  const wide = unnamedWideFolder(values, folders);
  if (wide)
    throw new GroundedError(
      'bad-input',
      `The server was started in ${wide} (the MCP client's working directory), with no --folder: it does not index all of that. Add "--folder", "/path/to/project" to the server's arguments in the client's configuration.`,
    );
}

/**
 * Logging notifications for the client: sent once it has initialized (the protocol allows none before); the
 * latest one said before then is sent at that moment.
 */
class ClientNotices {
  private server: Server | undefined;
  private pending: { level: 'info' | 'error'; message: string } | undefined;

  say(level: 'info' | 'error', message: string): void {
    if (this.server) notifyClient(this.server, level, message);
    else if (this.pending?.level !== 'error') this.pending = { level, message };
  }

  connect(server: Server): void {
    this.server = server;
    if (this.pending) notifyClient(server, this.pending.level, this.pending.message);
    this.pending = undefined;
  }
}

/**
 * stdin and stdout as the transport. stdin ending calls `ended` (once the last line read was passed on); stdout's
 * pipe breaking stops the server at once instead of crashing it; anything a library prints with console.log goes to
 * stderr, so stdout stays protocol only. stdin's lines are checked first, so a malformed request is answered rather
 * than dropped, and a batch is read only under the protocol version that has batches (see checkedLines; the version
 * is the one the server's answer to initialize named).
 */
function stdioTransport(ended: () => void, stop: () => void, log: (message: string) => void): Transport {
  console.log = console.info = console.debug = (...data: unknown[]) => console.error(...data);
  process.stdout.on('error', stop);
  let version: () => string | undefined = () => undefined;
  const stdin = checkedLines(process.stdin, line => void process.stdout.write(line), log, {
    protocolVersion: () => version(),
  });
  stdin.once('end', ended);
  const transport = new StdioServerTransport(stdin, process.stdout);
  version = negotiatedVersion(transport);
  // the SDK stops reading the stream it was given, not stdin behind it: stdin, still open (Ctrl-C in a terminal, a
  // client that keeps it), would keep the process alive after the server stopped
  const close = transport.close.bind(transport);
  transport.close = () => {
    process.stdin.unpipe();
    process.stdin.pause();
    return close();
  };
  return transport;
}

/** The version in Grounded's package.json (beside dist/ in the package, three folders up from the compiled source). */
function cliVersion(): string {
  for (let dir = __dirname, i = 0; i < 4; dir = dirname(dir), i++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'grounded' && manifest.version) return manifest.version;
    } catch {
      // not here: one folder up
    }
  }
  return '0.0.0';
}
