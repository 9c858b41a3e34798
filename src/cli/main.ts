// Entry of dist/cli.js (the bundler adds the `#!/usr/bin/env node` line).
import { streamIo, type CliIo } from './cliIo';
import { run } from './run';

const controller = new AbortController();
// Ctrl-C, and the SIGTERM a supervisor or an MCP client sends to end the process, stop the command as a cancel does:
// what was indexed is saved and the command says it stopped. A second signal, of either kind, ends the process at
// once, with the shell's code for that signal (130, 143).
const stop = (code: number) => () => {
  if (controller.signal.aborted) process.exit(code);
  controller.abort();
};
process.on('SIGINT', stop(130));
process.on('SIGTERM', stop(143));

// The reader of stdout went away (`grounded ask … --json | head -1`): stop the command as Ctrl-C would and exit
// quietly, 0 and nothing more on stderr, as a pipe's writer does; `grounded mcp` also stops on it by itself.
let readerGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  readerGone = true;
  controller.abort();
});
// The reader of stderr went away alone (`2>&1 | head -1` after a progress line, a supervisor that closed it): what
// stderr would say is dropped, and the command goes on, its answer still on stdout and its exit code its own.
let errReaderGone = false;
process.stderr.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  errReaderGone = true;
});
const streams = streamIo(process.stdout, process.stderr, controller.signal);
const io: CliIo = {
  out: text => {
    if (!readerGone) streams.out(text);
  },
  err: text => {
    if (!readerGone && !errReaderGone) streams.err(text);
  },
  signal: controller.signal,
};

void run(process.argv.slice(2), io).then(code => {
  process.exitCode = readerGone ? 0 : code;
});
