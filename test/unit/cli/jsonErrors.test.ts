import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tempDirs } from '../../support/tempDirs';

/** The CLI's entry as tsc compiles it (out/src/cli/main.js), run as `grounded` would be. */
const MAIN = join(__dirname, '../../../src/cli/main.js');

/** Runs `grounded ARGS…` in a child process from `cwd`, and returns its exit code and what it wrote. */
async function grounded(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache'), ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, out, err };
}

describe('a --json command that fails before its output (a child process)', function () {
  this.timeout(60_000);
  const dirs = tempDirs();

  it('writes one error line on stdout, with the kind and the message stderr gives, and keeps its exit code', async () => {
    const cwd = await dirs.make('grounded-json-errors-');
    const missing = join(cwd, 'missing');
    const databricks = [
      '--retriever',
      'databricks-vector-search',
      '--workspace-url',
      'https://adb-1.azuredatabricks.net',
    ];
    const cases: { args: string[]; kind: string; code: number; message: RegExp; env?: NodeJS.ProcessEnv }[] = [
      {
        args: ['ask', 'q', '--citations', 'sometimes'],
        kind: 'bad-input',
        code: 2,
        message: /^--citations is lexical/,
      },
      { args: ['ask', 'q', '--base-url', 'http://127.0.0.1:1/v1'], kind: 'bad-input', code: 2, message: /go together/ },
      { args: ['ask', 'q', '--folder', missing], kind: 'bad-input', code: 2, message: /^Folder not found: / },
      { args: ['ask', 'q', '--bogus'], kind: 'bad-input', code: 2, message: /Unknown option '--bogus'/ },
      {
        // a token refused before any request: DATABRICKS_HOST names another workspace
        args: ['ask', 'q', ...databricks, '--index', 'a.b.c'],
        env: { DATABRICKS_TOKEN: 'dapi-test', DATABRICKS_HOST: 'https://adb-2.azuredatabricks.net' },
        kind: 'auth',
        code: 3,
        message: /DATABRICKS_TOKEN was not sent/,
      },
      { args: ['search', 'q', '--folder', missing], kind: 'bad-input', code: 2, message: /^Folder not found: / },
      { args: ['index', '--folder', missing], kind: 'bad-input', code: 2, message: /^Folder not found: / },
      {
        args: ['index', '--target', 'postgres://me@127.0.0.1:1/db', '--table', 'bad name', '--folder', cwd],
        kind: 'bad-input',
        code: 2,
        message: /./,
      },
      { args: ['eval', missing], kind: 'bad-input', code: 2, message: /./ },
    ];
    const results = await Promise.all(cases.map(c => grounded([...c.args, '--json'], cwd, c.env)));
    cases.forEach((c, i) => {
      const { code, out, err } = results[i]!;
      const what = `grounded ${c.args.join(' ')} --json`;
      assert.equal(code, c.code, `${what}: ${err}`);
      const lines = out.split('\n');
      assert.equal(lines.length, 2, `${what}: one line on stdout, not ${JSON.stringify(out)}`);
      const line = JSON.parse(lines[0]!) as { type: string; error: { kind: string; message: string }; partial: string };
      assert.deepEqual(Object.keys(line), ['type', 'error', 'partial'], what);
      assert.equal(line.type, 'error', what);
      assert.equal(line.error.kind, c.kind, what);
      assert.equal(line.partial, '', what);
      assert.match(line.error.message, c.message, what);
      // stderr says it as without --json
      assert.ok(err.startsWith(`grounded: ${line.error.message}\n`), `${what}: ${err}`);
    });
    // without --json, stdout stays empty
    const plain = await grounded(['ask', 'q', '--citations', 'sometimes'], cwd);
    assert.equal(plain.code, 2);
    assert.equal(plain.out, '');
  });

  it('leaves stdout to the MCP protocol: `grounded mcp` takes no --json and writes nothing there on bad input', async () => {
    const cwd = await dirs.make('grounded-json-errors-mcp-');
    const { code, out } = await grounded(['mcp', '--json'], cwd);
    assert.equal(code, 2);
    assert.equal(out, '');
  });
});
