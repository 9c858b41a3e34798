import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

/** The repository, from the compiled test's folder (out/test/unit/lint). */
const ROOT = resolve(__dirname, '../../../..');

/** The rules that keep the layers apart (other rules, such as the one against require(), have their own say). */
const LAYER_RULES = [
  'no-restricted-imports',
  'no-restricted-syntax',
  'layers/no-surface-imports',
  'layers/no-vscode-lm-wrapper',
];

/** The layer rules a file breaks, as `ruleId: message`, linted as if it were `file` (the file need not exist). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? [])
    .filter(m => LAYER_RULES.includes(m.ruleId ?? ''))
    .map(m => `${m.ruleId}: ${m.message}`);
}

/** `vscode` in every import form lint must see. */
const VSCODE_FORMS: Record<string, string> = {
  static: "import * as vscode from 'vscode';\nexport const v = vscode;\n",
  'import type': "import type { Uri } from 'vscode';\nexport type U = Uri;\n",
  're-export': "export { Uri } from 'vscode';\n",
  'dynamic import()': "export const load = () => import('vscode');\n",
  'require()': "export const v: unknown = require('vscode');\n",
  'import = require()': "import vscode = require('vscode');\nexport const v = vscode;\n",
  'import() type': "export type U = import('vscode').Uri;\n",
};

describe('the layer rules (lint, DESIGN.md §8)', function () {
  this.timeout(60000);

  for (const [form, code] of Object.entries(VSCODE_FORMS)) {
    it(`refuses vscode (${form}) in every folder of src but the VS Code layer`, async () => {
      for (const file of [
        'src/core/probe.ts',
        'src/index/probe.ts',
        'src/cli/probe.ts',
        'src/shared/probe.ts',
        'src/providers/probe.ts',
        'src/retrievers/probe.ts',
        'src/embeddings/probe.ts',
        'src/webview/probe.ts',
      ]) {
        const messages = await lint(file, code);
        assert.equal(messages.length, 1, `${file}: ${messages.join('; ')}`);
        assert.match(messages[0] ?? '', /^no-restricted-(imports|syntax): .*This layer must not depend on VS Code/);
      }
    });
  }

  it('lets src/vscode, src/extension.ts and the VS Code LM wrapper import vscode in every form', async () => {
    for (const file of ['src/vscode/probe.ts', 'src/extension.ts', 'src/providers/vscodeLmChatModel.ts']) {
      for (const code of Object.values(VSCODE_FORMS)) assert.deepEqual(await lint(file, code), [], `${file}: ${code}`);
    }
  });

  it('refuses the VS Code LM wrapper (which imports vscode) outside the VS Code layer, in every import form', async () => {
    const wrapper = (from: string) => [
      `import { VscodeLmChatModel } from '${from}';\nexport const m = VscodeLmChatModel;\n`,
      `export { VscodeLmChatModel } from '${from}.js';\n`,
      `export const load = () => import('${from}');\n`,
      `export type M = import('${from}').VscodeLmChatModel;\n`,
    ];
    const cases: [string, string][] = [
      ['src/core/probe.ts', '../providers/vscodeLmChatModel'],
      ['src/core/rag/nodes/probe.ts', '../../../providers/vscodeLmChatModel'],
      ['src/providers/probe.ts', './vscodeLmChatModel'],
      ['src/retrievers/probe.ts', '../providers/vscodeLmChatModel'],
      ['src/index/build/probe.ts', '../../providers/vscodeLmChatModel'],
      ['src/cli/probe.ts', '../providers/vscodeLmChatModel'],
      ['src/webview/probe.ts', '../providers/vscodeLmChatModel'],
    ];
    for (const [file, from] of cases) {
      for (const code of wrapper(from)) {
        const messages = await lint(file, code);
        assert.equal(messages.length, 1, `${file}: ${code}: ${messages.join('; ')}`);
        assert.match(messages[0] ?? '', /^layers\/no-vscode-lm-wrapper: The VS Code LM wrapper imports vscode/);
      }
    }
    for (const [file, from] of [
      ['src/vscode/probe.ts', '../providers/vscodeLmChatModel'],
      ['src/extension.ts', './providers/vscodeLmChatModel'],
    ] as const)
      for (const code of wrapper(from)) assert.deepEqual(await lint(file, code), [], `${file}: ${code}`);
  });

  it('refuses a surface imported from below the surfaces, in every import form', async () => {
    const cases: [string, string, string][] = [
      ['src/core/probe.ts', "import { loadCore } from '../vscode/loadCore';\nexport const l = loadCore;\n", 'vscode'],
      [
        'src/core/rag/probe.ts',
        "import type { PanelToHost } from '../../webview/main';\nexport type P = PanelToHost;\n",
        'webview',
      ],
      ['src/index/build/probe.ts', "export const load = () => import('../../cli/main.js');\n", 'cli'],
      ['src/retrievers/probe.ts', "export const e: unknown = require('../extension');\n", 'extension.ts'],
      ['src/providers/vscodeLmChatModel.ts', "export { loadCore } from '../vscode/loadCore';\n", 'vscode'],
      ['src/shared/probe.ts', "export type A = import('../extension').GroundedApi;\n", 'extension.ts'],
      [
        'src/embeddings/probe.ts',
        "import type { AskService } from '../vscode/askService.js';\nexport type A = AskService;\n",
        'vscode',
      ],
    ];
    for (const [file, code, surface] of cases) {
      const messages = await lint(file, code);
      assert.equal(messages.length, 1, `${file}: ${messages.join('; ')}`);
      assert.equal(
        messages[0],
        `layers/no-surface-imports: Code below the surfaces must not import a surface (src/${surface}): let the surface pass what it needs in.`,
      );
    }
  });

  it('lets the surfaces import each other and the layers below, and a folder below name a sibling that shares a surface’s name', async () => {
    assert.deepEqual(
      await lint('src/vscode/probe.ts', "import { ask } from '../core/ask';\nexport const a = ask;\n"),
      [],
    );
    assert.deepEqual(await lint('src/extension.ts', "export { loadCore } from './vscode/loadCore';\n"), []);
    assert.deepEqual(await lint('src/cli/probe.ts', "export type M = import('../shared/messages').TurnView;\n"), []);
    assert.deepEqual(await lint('src/core/probe.ts', "import { ask } from './cli/ask';\nexport const a = ask;\n"), []);
  });
});
