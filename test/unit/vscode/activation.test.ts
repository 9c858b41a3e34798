import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import type { AnswerEvent, AskRequest } from '../../../src/core/events';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { permissiveVscode } from '../../fakes/permissiveVscode';

const DIST = join(__dirname, '../../../../dist');

type Load = (request: string, ...rest: unknown[]) => unknown;
const loader = Module as unknown as { _load: Load };

describe('activation of the packaged extension (dist/extension.js)', () => {
  it('activates without loading the core bundle, dist/core.js, and loads it at the first question', async function () {
    this.timeout(30000);
    const entry = join(DIST, 'extension.js');
    const core = join(DIST, 'core.js');
    if (!existsSync(entry) || !existsSync(core))
      assert.fail(
        `${DIST} has no extension.js and core.js: build them first with \`npm run package\` (or \`node esbuild.mjs --production\`).`,
      );
    const vscode = permissiveVscode();
    const load = loader._load;
    loader._load = function (request, ...rest) {
      return request === 'vscode' ? vscode : load.call(this, request, ...rest);
    };
    const memento = { get: <T>(_key: string, fallback: T) => fallback, update: async () => {}, keys: () => [] };
    const context = {
      subscriptions: [] as { dispose(): unknown }[],
      secrets: new FakeSecretStorage(),
      workspaceState: memento,
      globalState: memento,
      extensionUri: permissiveVscode(),
      storageUri: undefined,
      extension: { packageJSON: { version: 'test' } },
    };
    try {
      const extension = Module.createRequire(__filename)(entry) as {
        activate(c: typeof context): { ask(request: AskRequest): AsyncIterable<AnswerEvent> };
      };
      const api = extension.activate(context);
      assert.equal(typeof api.ask, 'function');
      assert.ok(context.subscriptions.length > 0, 'activate() registered nothing');
      assert.ok(!(require.resolve(core) in require.cache), 'activation loaded dist/core.js');
      // the stand-in cannot search, so the answer ends in an error; what matters is that the core ran
      const events: AnswerEvent[] = [];
      for await (const event of api.ask({ question: 'how do I install widget?', mode: 'search' })) events.push(event);
      assert.ok(require.resolve(core) in require.cache, 'the first question did not load dist/core.js');
      assert.ok(
        events.some(e => e.type === 'step'),
        'the core’s pipeline did not start',
      );
    } finally {
      loader._load = load;
      for (const s of context.subscriptions) s.dispose();
    }
  });
});
