import assert from 'node:assert/strict';
import type * as SecretCommandsModule from '../../../src/vscode/secretCommands';
import type * as SecretsModule from '../../../src/vscode/secrets';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { fakeVscodeWorkspace, requireWithVscode } from '../../fakes/fakeVscodeWorkspace';

const log = { info: () => {}, warn: () => {}, error: () => {}, trace: () => {} };

/** The secret commands over an in-memory SecretStorage, with an input box that answers `typed`. */
function secretCommands(typed: () => string | undefined) {
  const fake = fakeVscodeWorkspace();
  fake.configure({ 'grounded.model.provider': 'openai-compatible', 'grounded.model.preset': 'openai' });
  const ran: string[] = [];
  const vscode = {
    ...fake.vscode,
    window: { ...fake.vscode.window, showInputBox: async () => typed() },
    commands: {
      ...fake.vscode.commands,
      executeCommand: async (id: string, ...args: unknown[]) => (ran.push(id), fake.execute(id, ...args)),
    },
  };
  const { registerSecretCommands } = requireWithVscode<typeof SecretCommandsModule>(
    require.resolve('../../../src/vscode/secretCommands'),
    vscode,
  );
  const { BoundSecrets, ApiKeyStore } = requireWithVscode<typeof SecretsModule>(
    require.resolve('../../../src/vscode/secrets'),
    vscode,
  );
  const storage = new FakeSecretStorage();
  registerSecretCommands(new BoundSecrets(storage, async () => false), log as never);
  return { fake, storage, ran, id: ApiKeyStore.secretId('openai') };
}

describe('the secret commands (Set API Key, Set Database Password, …)', () => {
  it('saves a typed key and says so, offering Test Connection', async () => {
    const { fake, storage, id } = secretCommands(() => 'sk-1');
    assert.equal(await fake.execute('grounded.setApiKey'), true);
    assert.ok(storage.values.has(id));
    assert.deepEqual(fake.infos, ['Saved the API key for OpenAI.']);
  });

  it('says an input box left empty removed the key, never that it saved one', async () => {
    let typed = 'sk-1';
    const { fake, storage, ran, id } = secretCommands(() => typed);
    await fake.execute('grounded.setApiKey');
    fake.infos.length = 0;
    typed = '';
    assert.equal(await fake.execute('grounded.setApiKey'), true);
    assert.equal(storage.values.has(id), false);
    assert.equal(fake.infos.length, 1);
    assert.match(fake.infos[0]!, /^Removed the API key for OpenAI/);
    assert.ok(!ran.includes('grounded.testConnection'));
  });

  it('says so for a password removed the same way', async () => {
    let typed = 'secret';
    const { fake, storage } = secretCommands(() => typed);
    await fake.execute('grounded.setDatabasePassword');
    assert.equal(storage.values.size, 1);
    typed = '';
    await fake.execute('grounded.setDatabasePassword');
    assert.equal(storage.values.size, 0);
    assert.match(fake.infos.at(-1) ?? '', /^Removed the PostgreSQL password/);
  });

  it('changes nothing when the input box is dismissed', async () => {
    const { fake, storage } = secretCommands(() => undefined);
    assert.equal(await fake.execute('grounded.setApiKey'), false);
    assert.equal(storage.values.size, 0);
    assert.deepEqual(fake.infos, []);
  });
});
