import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

/** The repository, from the compiled test's folder (out/test/unit/index). */
const ROOT = resolve(__dirname, '../../../..');
const CYCLES = 'test/fixtures/importCycles';

const checkCycles = (folder: string) =>
  spawnSync(process.execPath, ['scripts/checkCycles.mjs', folder], { cwd: ROOT, encoding: 'utf8' });

describe('the import cycle check (npm test, static step)', () => {
  it('fails on a cycle of type-only imports, naming the modules in it and not the one outside it', function () {
    this.timeout(30000);
    const { status, stderr } = checkCycles(`${CYCLES}/cycle`);
    assert.equal(status, 1);
    assert.match(
      stderr,
      /import cycle test\/fixtures\/importCycles\/cycle\/secrets\.ts → test\/fixtures\/importCycles\/cycle\/settings\.ts → test\/fixtures\/importCycles\/cycle\/secrets\.ts/,
    );
    assert.doesNotMatch(stderr, /keys\.ts/);
  });

  it('passes once the shared type lives in a module of its own', function () {
    this.timeout(30000);
    const { status, stdout } = checkCycles(`${CYCLES}/none`);
    assert.equal(status, 0);
    assert.match(stdout, /no import cycles/);
  });
});

describe('the index’s public surface (lint)', () => {
  const lint = async (file: string, code: string): Promise<string[]> => {
    const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: join(ROOT, file) });
    return (result?.messages ?? []).map(m => `${m.ruleId}: ${m.message}`);
  };

  it('refuses a file inside src/index imported from elsewhere in src, and accepts src/index/index.ts', async function () {
    this.timeout(60000);
    const deep = await lint(
      'src/cli/probe.ts',
      "import { tokenize } from '../index/terms/tokenizer';\nexport const t = tokenize;\n",
    );
    assert.equal(deep.length, 1);
    assert.match(deep[0] ?? '', /^no-restricted-imports: .*public surface/);
    assert.deepEqual(
      await lint('src/vscode/probe.ts', "import { tokenize } from '../index';\nexport const t = tokenize;\n"),
      [],
    );
    assert.deepEqual(
      await lint(
        'src/core/citations/probe.ts',
        "import { tokenize } from '../../index/index';\nexport const t = tokenize;\n",
      ),
      [],
    );
  });

  it('lets the index’s own files import each other, and still keeps vscode out of them', async function () {
    this.timeout(60000);
    assert.deepEqual(
      await lint(
        'src/index/build/probe.ts',
        "import { tokenize } from '../terms/tokenizer';\nexport const t = tokenize;\n",
      ),
      [],
    );
    const vscode = await lint('src/index/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    assert.equal(vscode.length, 1);
    assert.match(vscode[0] ?? '', /^no-restricted-imports: .*VS Code/);
  });
});
