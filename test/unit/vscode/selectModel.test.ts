import assert from 'node:assert/strict';
import type * as SecretsModule from '../../../src/vscode/secrets';
import type * as SelectModelModule from '../../../src/vscode/selectModel';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { requireWithVscode } from '../../fakes/fakeVscodeWorkspace';

const log = { info: () => {}, warn: () => {}, error: () => {}, trace: () => {} };
const GLOBAL = 1;
const WORKSPACE = 2;

interface Answers {
  /** What the first quick pick returns, chosen from its items. */
  pick(items: { label: string; modelId?: string; preset?: string }[]): unknown;
  /** What each input box returns, in order. */
  typed?: string[];
}

/**
 * *Select Model* over settings kept as VS Code keeps them, user and workspace apart (the workspace wins), with a
 * VS Code that offers one language model and answers the quick pick and input boxes as `answers` says.
 */
function selectModelWith(workspace: Record<string, unknown>, answers: Answers, user: Record<string, unknown> = {}) {
  const layers = { [GLOBAL]: new Map(Object.entries(user)), [WORKSPACE]: new Map(Object.entries(workspace)) };
  const effective = (key: string) => (layers[WORKSPACE].has(key) ? layers[WORKSPACE] : layers[GLOBAL]).get(key);
  const typed = [...(answers.typed ?? [])];
  const vscode = {
    ConfigurationTarget: { Global: GLOBAL, Workspace: WORKSPACE, WorkspaceFolder: 3 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
    l10n: { t: (m: string, ...a: unknown[]) => m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[+i])) },
    lm: { selectChatModels: async () => [{ id: 'copilot-gpt-4o', name: 'GPT-4o', vendor: 'copilot', family: '4o' }] },
    commands: { executeCommand: async () => undefined },
    window: {
      showQuickPick: async (items: { label: string }[]) => answers.pick(items),
      showInputBox: async () => typed.shift(),
      showInformationMessage: async () => undefined,
      showErrorMessage: async () => undefined,
      showWarningMessage: async () => undefined,
    },
    workspace: {
      getConfiguration: (section: string) => ({
        get: <T>(key: string, fallback?: T) => (effective(`${section}.${key}`) as T | undefined) ?? fallback,
        inspect: (key: string) => ({
          key: `${section}.${key}`,
          globalValue: layers[GLOBAL].get(`${section}.${key}`),
          workspaceValue: layers[WORKSPACE].get(`${section}.${key}`),
        }),
        update: async (key: string, value: unknown, target: number) => {
          if (target !== GLOBAL && target !== WORKSPACE) throw new Error(`unexpected target ${target}`);
          layers[target as typeof GLOBAL].set(`${section}.${key}`, value);
        },
      }),
    },
  };
  const { selectModel } = requireWithVscode<typeof SelectModelModule>(
    require.resolve('../../../src/vscode/selectModel'),
    vscode,
  );
  const { ApiKeyStore, BoundSecrets } = requireWithVscode<typeof SecretsModule>(
    require.resolve('../../../src/vscode/secrets'),
    vscode,
  );
  const keys = new ApiKeyStore(new BoundSecrets(new FakeSecretStorage(), async () => false));
  return { run: () => selectModel(keys, log as never), effective, layers };
}

describe('Grounded: Select Model', () => {
  it('makes the VS Code model picked the one used, even where the workspace named another', async () => {
    const { run, effective } = selectModelWith(
      { 'grounded.model.vscodeModel': 'workspace-model' },
      { pick: items => items.find(i => i.modelId === 'copilot-gpt-4o') },
    );
    assert.equal(await run(), true);
    assert.equal(effective('grounded.model.vscodeModel'), 'copilot-gpt-4o');
    assert.equal(effective('grounded.model.provider'), 'vscode');
  });

  it('makes the endpoint model typed the one used, even where the workspace named another', async () => {
    const { run, effective, layers } = selectModelWith(
      { 'grounded.model.name': 'team-model' },
      // a closed loopback port: the endpoint lists no models, so the name is typed
      { pick: items => items.find(i => i.preset === 'ollama'), typed: ['http://127.0.0.1:9/v1', 'llama3.1'] },
    );
    assert.equal(await run(), true);
    assert.equal(effective('grounded.model.name'), 'llama3.1');
    // where a secret goes is written to user settings only
    assert.equal(layers[GLOBAL].get('grounded.model.baseUrl'), 'http://127.0.0.1:9/v1');
    assert.equal(layers[GLOBAL].get('grounded.model.provider'), 'openai-compatible');
  });

  it('writes a choice to user settings when the workspace sets nothing', async () => {
    const { run, layers } = selectModelWith({}, { pick: items => items.find(i => i.modelId === 'copilot-gpt-4o') });
    await run();
    assert.equal(layers[GLOBAL].get('grounded.model.vscodeModel'), 'copilot-gpt-4o');
    assert.equal(layers[WORKSPACE].size, 0);
  });

  it('clears a helper model that named a model of the previous endpoint, which the new one would not serve', async () => {
    const user = {
      'grounded.model.provider': 'openai-compatible',
      'grounded.model.preset': 'openai',
      'grounded.model.name': 'gpt-4o',
      'grounded.model.helperModel': 'gpt-4o-mini',
    };
    const ollama = selectModelWith(
      {},
      { pick: items => items.find(i => i.preset === 'ollama'), typed: ['http://127.0.0.1:9/v1', 'llama3.1'] },
      user,
    );
    await ollama.run();
    assert.equal(ollama.effective('grounded.model.helperModel'), '');
    const copilot = selectModelWith({}, { pick: items => items.find(i => i.modelId === 'copilot-gpt-4o') }, user);
    await copilot.run();
    assert.equal(copilot.effective('grounded.model.helperModel'), '');
  });

  it('keeps the helper model when the choice stays on the same server or among VS Code models', async () => {
    // the same server, typed with a trailing slash (a closed loopback port: it lists no models)
    const endpoint = selectModelWith(
      {},
      { pick: items => items.find(i => i.preset === 'vllm'), typed: ['http://127.0.0.1:9/v1/', 'qwen-32b'] },
      {
        'grounded.model.provider': 'openai-compatible',
        'grounded.model.preset': 'vllm',
        'grounded.model.baseUrl': 'http://127.0.0.1:9/v1',
        'grounded.model.name': 'qwen-7b',
        'grounded.model.helperModel': 'qwen-1b',
      },
    );
    await endpoint.run();
    assert.equal(endpoint.effective('grounded.model.name'), 'qwen-32b');
    assert.equal(endpoint.effective('grounded.model.helperModel'), 'qwen-1b');
    const vscodeModels = selectModelWith(
      {},
      { pick: items => items.find(i => i.modelId === 'copilot-gpt-4o') },
      { 'grounded.model.provider': 'vscode', 'grounded.model.helperModel': 'copilot-gpt-4o-mini' },
    );
    await vscodeModels.run();
    assert.equal(vscodeModels.effective('grounded.model.helperModel'), 'copilot-gpt-4o-mini');
  });
});
