// Entry of dist/cli.js (the bundler adds the `#!/usr/bin/env node` line).
import { streamIo, type CliIo } from './cliIo';
import { run } from './run';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

// The reader of stdout went away (`grounded ask … --json | head -1`): stop the command as Ctrl-C would and exit
// quietly, 0 and nothing more on stderr, as a pipe's writer does; `grounded mcp` also stops on it by itself.
let readerGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  readerGone = true;
  controller.abort();
});
const streams = streamIo(process.stdout, process.stderr, controller.signal);
const io: CliIo = {
  out: text => {
    if (!readerGone) streams.out(text);
  },
  err: text => {
    if (!readerGone) streams.err(text);
  },
  signal: controller.signal,
};

void run(process.argv.slice(2), io).then(code => {
  process.exitCode = readerGone ? 0 : code;
});
