import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GroundedApi } from '../../../src/extension';
import { closedPort } from '../../support/closedPort';
import { activateGrounded, lastEvent } from './hostHelpers';

describe('grounded.retriever in a real VS Code', function () {
  let api: GroundedApi;
  const config = () => vscode.workspace.getConfiguration('grounded');
  // user settings: the endpoint settings are machine-scoped (a workspace cannot say where secrets go)
  const target = vscode.ConfigurationTarget.Global;

  before(async () => {
    api = await activateGrounded();
    await config().update('retriever', 'databricks-vector-search', target);
    await config().update('databricksVectorSearch.workspaceUrl', `http://127.0.0.1:${await closedPort()}`, target);
    await config().update('databricksVectorSearch.indexName', 'main.docs.chunks', target);
    await vscode.commands.executeCommand('grounded.setDatabricksToken', 'dapi-test-token');
  });

  after(async () => {
    for (const key of [
      'retriever',
      'fallbackToLocalIndex',
      'databricksVectorSearch.workspaceUrl',
      'databricksVectorSearch.indexName',
    ])
      await config().update(key, undefined, target);
    await vscode.commands.executeCommand('grounded.setDatabricksToken', '');
  });

  it('reports an unreachable Vector Search endpoint instead of hiding it', async () => {
    const end = await lastEvent(api.ask({ question: 'flux capacitor', mode: 'search' }));
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'network');
    assert.doesNotMatch(end.error.message, /dapi-test-token/);
  });

  it('answers from the local index when the fallback is switched on', async () => {
    await config().update('fallbackToLocalIndex', true, target);
    const end = await lastEvent(api.ask({ question: 'flux capacitor', mode: 'search' }));
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.ok(
      end.citations.some(c => c.passage.path === 'docs/configuration.md'),
      JSON.stringify(end.citations.map(c => c.passage.path)),
    );
  });
});
