import assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import { parseSecretRecord, type ConfirmSend } from '../../../src/providers/secretOrigin';
import type { ModelSettings } from '../../../src/vscode/modelSettings';
import type { RetrieverSettings } from '../../../src/vscode/retrieverSettings';
import { ApiKeyStore, BoundSecrets, keyOrigins, type KeyUse } from '../../../src/vscode/secrets';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';

const OPENAI = 'https://api.openai.com';
const ELSEWHERE = 'http://127.0.0.1:9';
const use = (origin: string): KeyUse => ({
  origin,
  setting: 'grounded.model.baseUrl',
  setCommand: { title: 'Set API Key', command: 'grounded.setApiKey' },
});

/** Key stores over an in-memory SecretStorage, with a confirm that answers `answer` and counts the questions. */
function stores(answer: boolean) {
  const storage = new FakeSecretStorage();
  const asked: string[] = [];
  let release: () => void = () => undefined;
  const answered = new Promise<void>(r => (release = r));
  const confirm: ConfirmSend = async u => {
    asked.push(`${u.name} -> ${u.origin}`);
    await answered;
    return answer;
  };
  const keys = new ApiKeyStore(new BoundSecrets(storage, confirm));
  return { storage, keys, asked, answer: () => release() };
}

const stored = (storage: FakeSecretStorage, id = ApiKeyStore.secretId('openai')) =>
  parseSecretRecord(storage.values.get(id));

describe('API keys bound to origins', () => {
  it('sends a key set for an origin there without asking', async () => {
    const { keys, asked } = stores(false);
    await keys.set('openai', '  sk-1  ', [OPENAI]);
    assert.equal(await keys.keyFor('openai', use(OPENAI)), 'sk-1');
    assert.deepEqual(asked, []);
  });

  it('asks once before another origin, then binds the key there and stops asking', async () => {
    const { storage, keys, asked, answer } = stores(true);
    await keys.set('openai', 'sk-1', [OPENAI]);
    const first = keys.keyFor('openai', use(ELSEWHERE));
    const second = keys.keyFor('openai', use(ELSEWHERE));
    answer();
    assert.deepEqual(await Promise.all([first, second]), ['sk-1', 'sk-1']);
    assert.deepEqual(asked, [`the OpenAI API key -> ${ELSEWHERE}`], 'two waiting requests, one question');
    assert.deepEqual(stored(storage)?.origins, [OPENAI, ELSEWHERE]);
    assert.equal(await keys.keyFor('openai', use(ELSEWHERE)), 'sk-1');
    assert.equal(asked.length, 1);
  });

  it('does not release the key when the person says no, and keeps its binding as it was', async () => {
    const { storage, keys, answer } = stores(false);
    await keys.set('openai', 'sk-1', [OPENAI]);
    answer();
    await assert.rejects(
      keys.keyFor('openai', use(ELSEWHERE)),
      (e: unknown) => e instanceof GroundedError && e.kind === 'auth',
    );
    assert.deepEqual(stored(storage)?.origins, [OPENAI]);
  });

  it('asks before sending a key stored as a plain string (bound to no origin), then stores it bound', async () => {
    const { storage, keys, asked, answer } = stores(true);
    storage.values.set(ApiKeyStore.secretId('openai'), 'sk-legacy');
    answer();
    assert.equal(await keys.keyFor('openai', use(OPENAI)), 'sk-legacy');
    assert.equal(asked.length, 1);
    assert.deepEqual(stored(storage), { value: 'sk-legacy', origins: [OPENAI] });
  });

  describe('when the key changes while the question is open', () => {
    /** Key stores whose confirm runs `meanwhile` (another window storing the key) before saying yes. */
    function changedWhileAsking(meanwhile: (storage: FakeSecretStorage) => Promise<void>) {
      const storage = new FakeSecretStorage();
      const asked: string[] = [];
      const confirm: ConfirmSend = async u => {
        asked.push(u.origin);
        if (asked.length === 1) await meanwhile(storage);
        return true;
      };
      return { storage, asked, keys: new ApiKeyStore(new BoundSecrets(storage, confirm)) };
    }
    const PROXY = 'https://proxy.example';

    it('adds the answered origin to the key as stored now, keeping origins bound meanwhile', async () => {
      const { storage, keys } = changedWhileAsking(async s => {
        await new ApiKeyStore(new BoundSecrets(s, async () => false)).set('openai', 'sk-1', [OPENAI, PROXY]);
      });
      await keys.set('openai', 'sk-1', [OPENAI]);
      assert.equal(await keys.keyFor('openai', use(ELSEWHERE)), 'sk-1');
      assert.deepEqual(stored(storage), { value: 'sk-1', origins: [OPENAI, PROXY, ELSEWHERE] });
    });

    it('keeps a new key set meanwhile, and sends it where it is bound without asking again', async () => {
      const { storage, keys, asked } = changedWhileAsking(async s => {
        await new ApiKeyStore(new BoundSecrets(s, async () => false)).set('openai', 'sk-new', [ELSEWHERE]);
      });
      await keys.set('openai', 'sk-old', [OPENAI]);
      assert.equal(await keys.keyFor('openai', use(ELSEWHERE)), 'sk-new');
      assert.deepEqual(stored(storage), { value: 'sk-new', origins: [ELSEWHERE] });
      assert.equal(asked.length, 1);
    });

    it('asks again before sending a new key set meanwhile for another origin', async () => {
      const { storage, keys, asked } = changedWhileAsking(async s => {
        await new ApiKeyStore(new BoundSecrets(s, async () => false)).set('openai', 'sk-new', [PROXY]);
      });
      await keys.set('openai', 'sk-old', [OPENAI]);
      assert.equal(await keys.keyFor('openai', use(ELSEWHERE)), 'sk-new');
      assert.deepEqual(asked, [ELSEWHERE, ELSEWHERE]);
      assert.deepEqual(stored(storage), { value: 'sk-new', origins: [PROXY, ELSEWHERE] });
    });

    it('sends nothing and stores nothing when the key was removed meanwhile', async () => {
      const { storage, keys } = changedWhileAsking(async s => {
        await s.delete(ApiKeyStore.secretId('openai'));
      });
      await keys.set('openai', 'sk-old', [OPENAI]);
      assert.equal(await keys.keyFor('openai', use(ELSEWHERE)), undefined);
      assert.equal(storage.values.has(ApiKeyStore.secretId('openai')), false);
    });
  });

  it('peeks at a key without asking, and has nothing to send when none is set', async () => {
    const { keys, asked } = stores(false);
    await keys.set('openai', 'sk-1', []);
    assert.equal(await keys.peek('openai'), 'sk-1');
    assert.equal(await keys.keyFor('azure', use(ELSEWHERE)), undefined);
    assert.deepEqual(asked, []);
  });

  it('setting a new key replaces the old origins, and an empty key removes it', async () => {
    const { storage, keys } = stores(false);
    await keys.set('openai', 'sk-1', [OPENAI, ELSEWHERE]);
    await keys.set('openai', 'sk-2', [OPENAI]);
    assert.deepEqual(stored(storage), { value: 'sk-2', origins: [OPENAI] });
    await keys.set('openai', '', [OPENAI]);
    assert.equal(storage.values.has(ApiKeyStore.secretId('openai')), false);
  });

  it('keeps a password as typed, spaces included', async () => {
    const storage = new FakeSecretStorage();
    const secrets = new BoundSecrets(storage, async () => false);
    await secrets.store('grounded.pgvector.password', ' p w ', ['postgres://db:5432/docs']);
    assert.equal(
      await secrets.releaseTo('grounded.pgvector.password', {
        ...use('postgres://db:5432/docs'),
        name: 'the PostgreSQL password',
      }),
      ' p w ',
    );
  });
});

describe('where a key is bound when it is set', () => {
  const model = (preset: ModelSettings['endpoint']['preset'], baseUrl: string): ModelSettings => ({
    provider: 'openai-compatible',
    vscodeModel: '',
    endpoint: { preset, baseUrl, model: 'm', helperModel: '', azureApiVersion: '' },
  });
  const retriever = (
    preset: ModelSettings['endpoint']['preset'],
    baseUrl: string,
    workspaceUrl = '',
  ): RetrieverSettings => ({
    kind: 'local',
    fallbackToLocal: false,
    pgvector: { connectionString: '', table: 't' },
    databricks: {
      workspaceUrl,
      indexName: '',
      endpointName: '',
      queryType: 'ANN',
      columns: { text: '', path: '', startLine: '', endLine: '', title: '' },
    },
    embeddings: { preset, baseUrl, model: '', azureApiVersion: '' },
  });

  it('binds a preset key to the chat and embeddings endpoints that use that preset', () => {
    assert.deepEqual(keyOrigins('openai', model('openai', ''), retriever('openai', 'https://proxy.example/v1')), [
      OPENAI,
      'https://proxy.example',
    ]);
    assert.deepEqual(
      keyOrigins('openai', model('custom', ELSEWHERE), retriever('azure', 'https://r.openai.azure.com')),
      [],
    );
  });

  it('binds the Databricks token to Model Serving and Vector Search', () => {
    const origins = keyOrigins(
      'databricks',
      model('databricks', 'adb-1.azuredatabricks.net'),
      retriever('openai', '', 'https://adb-2.azuredatabricks.net/'),
    );
    assert.deepEqual(origins, ['https://adb-1.azuredatabricks.net', 'https://adb-2.azuredatabricks.net']);
  });
});
