import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fixActions } from '../../../src/core/errors';
import type { ConnectionReport } from '../../../src/providers/connectionTest';
import type { GroundedApi } from '../../../src/extension';
import { collect } from '../../support/collect';
import { until } from '../../support/until';
import { activateGrounded, HOST_WAIT } from './hostHelpers';
import { FaultServer, isGradeRequest, lastUserText } from '../../fakes/faultServer';

// The openai-compatible provider wired in a real VS Code: settings switched to a loopback fault server started
// here, the key stored through the real command (SecretStorage), answers streamed from that server with citations.

const KEY = 'sk-host-test-key-0001';
const ANSWER = ['From the endpoint: ', 'set `flux.level` ', 'to 88 [1].'];
const SETTINGS = ['provider', 'preset', 'baseUrl', 'name', 'helperModel'] as const;

async function setModelSettings(values: Partial<Record<(typeof SETTINGS)[number], string | undefined>>): Promise<void> {
  const config = vscode.workspace.getConfiguration('grounded.model');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

describe('the openai-compatible provider in a real VS Code', function () {
  let api: GroundedApi;
  let server: FaultServer;

  before(async () => {
    api = await activateGrounded();
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1,2]}'] : ANSWER,
    }));
    await setModelSettings({
      provider: 'openai-compatible',
      preset: 'custom',
      baseUrl: server.baseUrl,
      name: 'fault-model',
      helperModel: 'fault-small',
    });
    assert.equal(await vscode.commands.executeCommand('grounded.setApiKey', KEY), true);
  });

  after(async () => {
    await vscode.commands.executeCommand('grounded.setApiKey', '');
    await setModelSettings(Object.fromEntries(SETTINGS.map(k => [k, undefined])));
    await server?.close();
  });

  it('streams a cited answer from the endpoint, with the key from secret storage and the helper model grading', async () => {
    const before = server.chatRequests.length;
    const events = await collect(api.ask({ question: 'How is the flux capacitor configured?' }));
    const done = events[events.length - 1];
    assert.ok(done?.type === 'done', JSON.stringify(done));
    assert.deepEqual(
      events.flatMap(e => (e.type === 'token' ? [e.text] : [])),
      ANSWER,
    );
    assert.ok(done.citations.length >= 1, 'cites a source');
    const requests = server.chatRequests.slice(before);
    assert.deepEqual(
      requests.map(r => [isGradeRequest(r), r.body?.model, r.stream, r.authorization]),
      [
        [true, 'fault-small', false, `Bearer ${KEY}`],
        [false, 'fault-model', true, `Bearer ${KEY}`],
      ],
    );
    const generation = requests.find(r => !isGradeRequest(r));
    assert.ok(generation);
    assert.match(lastUserText(generation), /docs\/configuration\.md:\d+-\d+/);
  });

  it('keeps the key out of settings', () => {
    const everything = JSON.stringify(vscode.workspace.getConfiguration('grounded'));
    assert.ok(!everything.includes(KEY));
  });

  it('Test Connection reports the latency and the model', async () => {
    const report = await vscode.commands.executeCommand<ConnectionReport>('grounded.testConnection');
    assert.ok(report?.ok, JSON.stringify(report));
    assert.match(report.modelName, /fault-model/);
    assert.ok(Number.isFinite(report.latencyMs) && report.latencyMs >= 0, `latency ${report.latencyMs}`);
  });

  it('turns a rejected key into an auth error with the Set API Key action', async () => {
    // One is enough: the grader meets it first, and an auth error is final (neither retried nor graded around).
    server.enqueue({ status: 401 });
    const events = await collect(api.ask({ question: 'How is the flux capacitor configured?' }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'auth');
    assert.equal(end.error.options.action?.command, 'grounded.setApiKey');
  });

  it('names the endpoint and the cause of a refused connection, offers Open Setting and Show Log, and logs the cause', async () => {
    const port = await refusedPort();
    // Ollama's preset needs no key, so no stored key is offered to this other origin
    await setModelSettings({ preset: 'ollama', baseUrl: `http://127.0.0.1:${port}/v1` });
    try {
      const end = (await collect(api.ask({ question: 'How is the flux capacitor configured?' }))).at(-1);
      assert.ok(end?.type === 'error', JSON.stringify(end));
      assert.equal(end.error.kind, 'network');
      assert.match(
        end.error.message,
        new RegExp(`http://127\\.0\\.0\\.1:${port}: the connection was refused \\(ECONNREFUSED\\)`),
      );
      assert.deepEqual(
        fixActions(end.error).map(a => [a.command, ...(a.arguments ?? [])]),
        [['workbench.action.openSettings', 'grounded.model.baseUrl'], ['grounded.showLog']],
      );
      const logged = await until(() => groundedLog().includes(`connect ECONNREFUSED 127.0.0.1:${port}`), HOST_WAIT);
      assert.ok(logged, 'the Grounded log holds the cause');
    } finally {
      await setModelSettings({ preset: 'custom', baseUrl: server.baseUrl });
    }
  });

  it('says which key is missing, without calling the endpoint, when a preset needs one', async () => {
    await setModelSettings({ preset: 'openai' });
    try {
      const before = server.requests.length;
      const events = await collect(api.ask({ question: 'How is the flux capacitor configured?' }));
      const end = events[events.length - 1];
      assert.ok(end?.type === 'error' && end.error.kind === 'auth', JSON.stringify(end));
      assert.match(end.error.message, /No API key is set for OpenAI/);
      assert.equal(server.requests.length, before);
    } finally {
      await setModelSettings({ preset: 'custom' });
    }
  });

  it('@grounded in the chat view answers from the endpoint too', async () => {
    const before = server.chatRequests.length;
    // A fresh session: an earlier suite's chat request may still be finishing in the current one.
    await vscode.commands.executeCommand('workbench.action.chat.newChat');
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@grounded which port does the flux service use?',
      modelSelector: { vendor: 'grounded-test' },
    });
    const asked = (generation: boolean) => () =>
      server.chatRequests
        .slice(before)
        .some(
          r =>
            isGradeRequest(r) !== generation &&
            lastUserText(r).includes('Question: which port does the flux service use?'),
        );
    assert.ok(await until(asked(false), HOST_WAIT), 'the participant graded with the endpoint');
    assert.ok(await until(asked(true), HOST_WAIT), 'the participant generated with the endpoint');
  });
});

/** A port nothing listens on: one that was just listened on and closed. */
async function refusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise(resolve => probe.close(resolve));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** Everything the Grounded output channel wrote in this run (its log files under the user data folder). */
function groundedLog(): string {
  const extensions = process.env['GROUNDED_TEST_EXTENSIONS_DIR'];
  assert.ok(extensions, 'GROUNDED_TEST_EXTENSIONS_DIR is set by runHostTests.js');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'Grounded.log') files.push(path);
    }
  };
  walk(join(extensions, '..', 'user-data', 'logs'));
  return files.map(f => readFileSync(f, 'utf8')).join('\n');
}
