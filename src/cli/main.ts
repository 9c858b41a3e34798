// Entry of dist/cli.js (the bundler adds the `#!/usr/bin/env node` line).
import { streamIo } from './cliIo';
import { run } from './run';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

void run(process.argv.slice(2), streamIo(process.stdout, process.stderr, controller.signal)).then(code => {
  process.exitCode = code;
});
