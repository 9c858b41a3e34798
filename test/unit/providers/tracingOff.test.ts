import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToDottedOrderFormat as langsmithDottedOrder } from 'langsmith/run_trees';
import { isTracingEnabled } from '../../../src/providers/tracingOff/callbacks';
import {
  convertToDottedOrderFormat,
  getCurrentRunTree,
  isRunTree,
  RunTree,
} from '../../../src/providers/tracingOff/langsmith';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';
import { tempDirs } from '../../support/tempDirs';

// The bundles (dist/, built by `npm run package`) replace LangSmith with src/providers/tracingOff (see esbuild.mjs).

const DIST = join(__dirname, '../../../../dist');

/** A bundle's path; fails with what to run when dist/ has not been built. */
function bundle(name: string): string {
  const file = join(DIST, name);
  if (!existsSync(file))
    assert.fail(
      `${file} is missing: these tests check the bundles, build them first with \`npm run package\` (or \`node esbuild.mjs --production\`).`,
    );
  return file;
}

const TRACING_ENV = {
  LANGCHAIN_VERBOSE: 'true',
  LANGSMITH_TRACING: 'true',
  LANGSMITH_TRACING_V2: 'true',
  LANGCHAIN_TRACING_V2: 'true',
  LANGCHAIN_TRACING: 'true',
  LANGSMITH_API_KEY: 'lsv2-test-key',
  LANGCHAIN_API_KEY: 'lsv2-test-key',
};

describe('LangSmith tracing in the bundles', () => {
  const dirs = tempDirs();
  it('sends nothing to LANGSMITH_ENDPOINT and prints no trace when `grounded ask` runs with every tracing variable set', async function () {
    this.timeout(60_000);
    const cli = bundle('cli.js');
    const model = await FaultServer.start(r => ({
      tokens: isGradeRequest(r) ? ['{"relevant":[1]}'] : ['Run ', '`npm install widget` ', '[1].'],
    }));
    const langsmith = await FaultServer.start();
    const cache = await dirs.make('grounded-tracing-');
    try {
      const env = {
        ...process.env,
        ...TRACING_ENV,
        LANGSMITH_ENDPOINT: langsmith.baseUrl,
        LANGCHAIN_ENDPOINT: langsmith.baseUrl,
        XDG_CACHE_HOME: cache,
      };
      const args = [
        cli,
        'ask',
        'how do I install widget?',
        '--folder',
        FIXTURE_WORKSPACE,
        '--base-url',
        model.baseUrl,
        '--model',
        'fault-model',
      ];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>(resolve => child.on('close', resolve));
      assert.equal(code, 0, err);
      assert.match(out, /^Run `npm install widget` \[1\]\./);
      assert.doesNotMatch(out + err, /chain\/start|Entering Chain run/, 'LANGCHAIN_VERBOSE printed the runs');
      assert.equal(model.chatRequests.length, 2, 'the model answered (grading, then the answer)');
      assert.deepEqual(
        langsmith.requests.map(r => `${r.method} ${r.path}`),
        [],
        'nothing reached the tracing endpoint',
      );
    } finally {
      await Promise.all([model.close(), langsmith.close()]);
    }
  });

  // the extension's entry bundle, the core it loads at the first question, the CLI
  for (const name of ['extension.js', 'core.js', 'cli.js']) {
    it(`leaves LangSmith's client and LangChain's tracing switches out of dist/${name}`, () => {
      const code = readFileSync(bundle(name), 'utf8');
      assert.ok(
        !code.includes('runs/multipart'),
        'the LangSmith client (it uploads runs to /runs/multipart) is bundled',
      );
      assert.ok(
        !code.includes('LANGCHAIN_TRACING_V2'),
        "LangChain's isTracingEnabled (it reads LANGCHAIN_TRACING_V2) is bundled",
      );
      assert.ok(!code.includes('LANGCHAIN_VERBOSE'), 'LangChain still adds its console tracer for LANGCHAIN_VERBOSE');
    });
  }
});

describe('zod in the bundles', () => {
  // zod comes with LangChain, in the core bundle (dist/extension.js holds none of LangChain: esbuild.mjs checks)
  for (const name of ['core.js', 'cli.js']) {
    it(`carries only zod's English messages in dist/${name}`, () => {
      const meta = JSON.parse(readFileSync(bundle(name.replace(/\.js$/, '.meta.json')), 'utf8')) as {
        inputs: Record<string, unknown>;
      };
      const locales = Object.keys(meta.inputs).filter(input => /node_modules\/zod\/.*locales\//.test(input));
      assert.deepEqual(
        locales.filter(input => !/\/(en|index)\.js$/.test(input)),
        [],
      );
      assert.ok(
        locales.some(input => input.endsWith('/v4/locales/en.js')),
        'the English messages are bundled',
      );
    });
  }
});

describe('the LangSmith stand-in', () => {
  it('orders runs exactly as LangSmith does', () => {
    for (const [epoch, order] of [
      [Date.UTC(2026, 0, 2, 3, 4, 5, 6), 1],
      [0, 17],
      [1_700_000_000_123, 1234],
    ] as const) {
      assert.deepEqual(
        convertToDottedOrderFormat(epoch, 'run-id', order),
        langsmithDottedOrder(epoch, 'run-id', order),
      );
    }
  });

  it('keeps a run tree as a copy of its config, context variables included, and never traces', () => {
    const contextKey = Symbol.for('lc:context_variables');
    const root = new RunTree({ name: '<runnable_lambda>', tracingEnabled: true, extra: { k: 1 } });
    const copy = new RunTree({ ...root, [contextKey]: { foo: 'bar' } });
    assert.equal(root.tracingEnabled, false);
    assert.deepEqual((copy as unknown as Record<string | symbol, unknown>)[contextKey], { foo: 'bar' });
    assert.deepEqual((copy as unknown as { extra: unknown }).extra, { k: 1 });
    assert.ok(isRunTree(copy));
    assert.ok(!isRunTree({ name: 'x' }));
  });

  it('has no current run and never enables tracing', () => {
    assert.equal(getCurrentRunTree(true), undefined);
    assert.equal(isTracingEnabled(true), false);
  });
});
