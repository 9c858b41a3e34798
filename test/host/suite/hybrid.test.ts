import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GroundedApi } from '../../../src/extension';
import { activateGrounded, lastEvent } from './hostHelpers';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';

describe('the local hybrid (embeddings configured) in a real VS Code', function () {
  let api: GroundedApi;
  let server: EmbeddingsServer;
  const config = () => vscode.workspace.getConfiguration('grounded');
  // user settings: the endpoint settings are machine-scoped (a workspace cannot say where secrets go)
  const target = vscode.ConfigurationTarget.Global;

  before(async () => {
    api = await activateGrounded();
    server = await EmbeddingsServer.start(64);
    await config().update('embeddings.preset', 'custom', target);
    await config().update('embeddings.baseUrl', server.baseUrl, target);
    await config().update('embeddings.model', 'test-embed', target);
  });

  after(async () => {
    for (const key of ['embeddings.preset', 'embeddings.baseUrl', 'embeddings.model'])
      await config().update(key, undefined, target);
    await server.close();
  });

  it('embeds the workspace once and answers with BM25 and vectors fused, citing the right file', async () => {
    let end = await lastEvent(api.ask({ question: 'flux capacitor level', mode: 'search' }));
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.ok(
      end.citations.some(c => c.passage.path === 'docs/configuration.md'),
      JSON.stringify(end.citations.map(c => c.passage.path)),
    );
    const embeddedTexts = server.requests.flatMap(r => r.input).length;
    assert.ok(embeddedTexts > 0, 'the workspace chunks and the query were embedded');
    assert.ok(
      server.requests.flatMap(r => r.input).every(t => !t.includes('must never be cited')),
      'git-ignored files are not embedded',
    );

    end = await lastEvent(api.ask({ question: 'where do the logs go', mode: 'search' }));
    assert.ok(end?.type === 'done');
    assert.equal(
      server.requests.flatMap(r => r.input).length,
      embeddedTexts + 1,
      'a second question embeds only the query',
    );
  });
});
