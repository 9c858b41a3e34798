import * as assert from 'node:assert/strict';
import { createEmbedder } from '../../../src/embeddings/createEmbedder';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';

describe('createEmbedder (the extension and the CLI alike)', () => {
  let server: EmbeddingsServer;
  before(async () => {
    server = await EmbeddingsServer.start(16);
  });
  after(() => server.close());

  const settings = (over: { baseUrl?: string; model?: string } = {}) => ({
    preset: 'custom' as const,
    baseUrl: server.baseUrl,
    model: 'bow-16',
    azureApiVersion: '',
    ...over,
  });

  it('is undefined without a model, and asks for no key', async () => {
    const asked: string[] = [];
    assert.equal(
      await createEmbedder(settings({ model: ' ' }), { apiKey: async o => (asked.push(o), 'k') }),
      undefined,
    );
    assert.deepEqual(asked, []);
  });

  it('releases the key to the endpoint origin and sends it', async () => {
    const asked: string[] = [];
    const embedder = await createEmbedder(settings(), {
      apiKey: async origin => (asked.push(origin), 'sk-test-embeddings-key'),
    });
    assert.ok(embedder);
    const [vector] = await embedder.embed(['flux capacitor']);
    assert.equal(vector?.length, 16);
    assert.deepEqual(asked, [new URL(server.baseUrl).origin]);
    assert.equal(server.requests.at(-1)?.authorization, 'Bearer sk-test-embeddings-key');
  });

  it('names the setting to fix the caller’s way, before any key is asked for', async () => {
    const asked: string[] = [];
    const rename = (m: string) => m.replaceAll('grounded.embeddings.', '--embeddings-');
    await assert.rejects(
      createEmbedder(settings({ baseUrl: '' }), { apiKey: async o => (asked.push(o), 'k'), rename }),
      (e: unknown) => {
        assert.ok(
          e instanceof Error && e.message.includes('--embeddings-') && !e.message.includes('grounded.embeddings.'),
          String(e),
        );
        return true;
      },
    );
    assert.deepEqual(asked, []);
  });
});
