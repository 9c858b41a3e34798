// Entry of dist/cli.js (the bundler adds the `#!/usr/bin/env node` line).
import { run } from './run';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

void run(process.argv.slice(2), {
  out: text => process.stdout.write(text),
  err: text => process.stderr.write(text),
  signal: controller.signal,
}).then(code => {
  process.exitCode = code;
});
