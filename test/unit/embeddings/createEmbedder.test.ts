import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEmbedder } from '../../../src/embeddings/createEmbedder';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { tempDirs } from '../../support/tempDirs';

describe('createEmbedder (the extension and the CLI alike)', () => {
  const dirs = tempDirs();
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

  it('keeps the cut a refused text fitted at in the input limits file, for the next embedder of that model', async () => {
    const file = join(await dirs.make('grounded-limits-'), 'embedding-limits.json');
    server.maxInputChars = 1000;
    try {
      const long = `needle ${'filler words '.repeat(400)}`;
      const first = await createEmbedder(settings(), { apiKey: async () => undefined, inputLimitsFile: file });
      await first?.embed([long]);
      const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
      assert.deepEqual(Object.keys(saved), [`bow-16 ${server.baseUrl}/embeddings`]);
      const before = server.requests.length;
      const next = await createEmbedder(settings(), { apiKey: async () => undefined, inputLimitsFile: file });
      await next?.embed([`again ${long}`]);
      assert.equal(server.requests.length, before + 1, 'cut at once, not refused first');
    } finally {
      server.maxInputChars = Infinity;
    }
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
