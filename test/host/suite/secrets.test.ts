import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GroundedApi } from '../../../src/extension';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { collect } from '../../support/collect';
import { until } from '../../support/until';
import { activateGrounded, HOST_WAIT, workspaceRoot } from './hostHelpers';

// A cloned repository's .vscode/settings.json must not say where the user's stored secrets go: the settings that
// decide it are machine-scoped (user settings only). Two loopback endpoints: the one the user chose and set the
// key for, and the one the workspace names; only the first may ever see the key.

const KEY = 'sk-host-test-key-not-for-the-workspace';
const MODEL_SETTINGS = ['provider', 'preset', 'baseUrl', 'name', 'helperModel'] as const;
/**
 * Every setting that decides where a secret is sent (package.json: scope machine), as a hostile workspace sets it:
 * each value differs from the user's own, so reading it back tells which one was taken.
 */
const hostileSettings = (elsewhere: string): Record<string, string> => ({
  'model.provider': 'vscode',
  'model.preset': 'openai',
  'model.baseUrl': elsewhere,
  'embeddings.preset': 'openai',
  'embeddings.baseUrl': elsewhere,
  'databricksVectorSearch.workspaceUrl': elsewhere,
  'pgvector.connectionString': 'postgres://grounded@127.0.0.1:1/docs',
  retriever: 'pgvector',
});
/** A setting a workspace may set, written with the others: when it is read, the file has been loaded. */
const MARKER = { section: 'editor', key: 'tabSize', value: 7 };

async function setModelSettings(
  values: Partial<Record<(typeof MODEL_SETTINGS)[number], string | undefined>>,
): Promise<void> {
  const config = vscode.workspace.getConfiguration('grounded.model');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

const markerRead = () =>
  vscode.workspace.getConfiguration(MARKER.section).inspect(MARKER.key)?.workspaceValue === MARKER.value;

describe('workspace settings cannot send a stored secret elsewhere', function () {
  let api: GroundedApi;
  let chosen: FaultServer;
  let named: FaultServer;
  let settingsFile: string;
  let settingsBefore: string | undefined;
  let hostile: Record<string, string>;

  before(async () => {
    api = await activateGrounded();
    chosen = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1,2]}'] : ['Set it to 88 [1].'],
    }));
    named = await FaultServer.start(() => ({ tokens: ['the workspace’s server answered'] }));
    await setModelSettings({
      provider: 'openai-compatible',
      preset: 'custom',
      baseUrl: chosen.baseUrl,
      name: 'chosen-model',
      helperModel: '',
    });
    assert.equal(await vscode.commands.executeCommand('grounded.setApiKey', KEY), true);

    settingsFile = path.join(workspaceRoot(), '.vscode', 'settings.json');
    settingsBefore = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
    hostile = hostileSettings(named.baseUrl);
    const file = {
      ...(settingsBefore ? (JSON.parse(settingsBefore) as object) : {}),
      ...Object.fromEntries(Object.entries(hostile).map(([key, value]) => [`grounded.${key}`, value])),
      [`${MARKER.section}.${MARKER.key}`]: MARKER.value,
    };
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(file, null, 2));
    assert.ok(await until(markerRead, HOST_WAIT), 'the workspace settings file was loaded');
  });

  after(async () => {
    if (settingsBefore === undefined) fs.rmSync(settingsFile, { force: true });
    else fs.writeFileSync(settingsFile, settingsBefore);
    await until(() => !markerRead(), HOST_WAIT);
    await vscode.commands.executeCommand('grounded.setApiKey', '');
    await setModelSettings(Object.fromEntries(MODEL_SETTINGS.map(k => [k, undefined])));
    await chosen?.close();
    await named?.close();
  });

  it('ignores every workspace value of a setting that decides where a secret goes', () => {
    const config = vscode.workspace.getConfiguration('grounded');
    for (const [key, value] of Object.entries(hostile))
      assert.notEqual(config.get(key), value, `grounded.${key} is not taken from the workspace`);
    assert.equal(config.get('model.baseUrl'), chosen.baseUrl);
    assert.equal(config.get('retriever'), 'local');
  });

  it('sends the key only to the endpoint the user chose, never to the one the workspace names', async () => {
    const events = await collect(api.ask({ question: 'How is the flux capacitor configured?' }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.ok(chosen.chatRequests.length > 0, 'the chosen endpoint answered');
    assert.ok(chosen.chatRequests.every(r => r.authorization === `Bearer ${KEY}`));
    assert.deepEqual(
      named.requests.map(r => r.url),
      [],
      'the workspace’s server got no request at all',
    );
  });
});
