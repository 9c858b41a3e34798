import assert from 'node:assert/strict';
import type { ConnectionReport } from '../../../src/providers/connectionTest';
import type * as ProviderCommandsModule from '../../../src/vscode/providerCommands';
import type * as SecretsModule from '../../../src/vscode/secrets';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { fakeVscodeWorkspace, requireWithVscode, serveVscode } from '../../fakes/fakeVscodeWorkspace';
import { ScriptedChatModel, type Script } from '../../fakes/scriptedChatModel';

const log = { info: () => {}, warn: () => {}, error: () => {}, trace: () => {} };
const notFound = () => Object.assign(new Error('404 The model `gpt-5-nano` does not exist'), { status: 404 });

/** *Test Connection* with the models `resolve` gives, over settings naming `helperModel`. */
async function testConnection(main: Script, helper?: Script) {
  const fake = fakeVscodeWorkspace();
  fake.configure({
    'grounded.model.provider': 'openai-compatible',
    'grounded.model.preset': 'vllm',
    'grounded.model.baseUrl': 'http://127.0.0.1:9/v1',
    'grounded.model.name': 'qwen-7b',
    'grounded.model.helperModel': helper ? 'gpt-5-nano' : '',
  });
  const vscode = {
    ...fake.vscode,
    window: {
      ...fake.vscode.window,
      withProgress: <T>(_o: unknown, task: (p: unknown, token: unknown) => Promise<T>) =>
        task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) }),
    },
  };
  const { registerProviderCommands } = requireWithVscode<typeof ProviderCommandsModule>(
    require.resolve('../../../src/vscode/providerCommands'),
    vscode,
  );
  const { ApiKeyStore, BoundSecrets } = requireWithVscode<typeof SecretsModule>(
    require.resolve('../../../src/vscode/secrets'),
    vscode,
  );
  const keys = new ApiKeyStore(new BoundSecrets(new FakeSecretStorage(), async () => false));
  const models = {
    resolve: async () => ({
      model: new ScriptedChatModel(() => main),
      helperModel: helper && new ScriptedChatModel(() => helper),
      label: 'vLLM · qwen-7b',
    }),
  };
  // the core, loaded at the first test, requires `vscode` too
  const restore = serveVscode(vscode);
  try {
    registerProviderCommands(keys, models as never, log as never);
    const report = (await fake.execute('grounded.testConnection')) as ConnectionReport | undefined;
    // the failure message is shown without being awaited
    await new Promise(resolve => setImmediate(resolve));
    return { report, fake };
  } finally {
    restore();
  }
}

describe('Grounded: Test Connection', () => {
  it('says connected when the answering model answers and no helper model is set', async () => {
    const { report, fake } = await testConnection({ reply: 'OK' });
    assert.ok(report?.ok);
    assert.equal(fake.errors.length, 0);
    assert.match(fake.infos[0] ?? '', /^Connected to vLLM · qwen-7b in \d+ ms\.$/);
  });

  it('tests the helper model too, which grades every answer: one that fails is reported, not "Connected"', async () => {
    const { report, fake } = await testConnection({ reply: 'OK' }, { failBefore: notFound() });
    assert.equal(report?.ok, false);
    assert.deepEqual(fake.infos, []);
    assert.equal(fake.errors.length, 1);
    assert.match(fake.errors[0]!, /^vLLM · qwen-7b answers, but the helper model gpt-5-nano .*fails: .*HTTP 404/);
  });

  it('names both when both answer', async () => {
    const { report, fake } = await testConnection({ reply: 'OK' }, { reply: 'OK' });
    assert.ok(report?.ok);
    assert.match(
      fake.infos[0] ?? '',
      /^Connected to vLLM · qwen-7b in \d+ ms; the helper model gpt-5-nano in \d+ ms\.$/,
    );
  });
});
