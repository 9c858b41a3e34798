import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FaultServer } from '../../fakes/faultServer';
import { tempDirs } from '../../support/tempDirs';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';
import { cli } from './cliHarness';

describe('grounded ask: a prompt the endpoint finds longer than the model’s context', function () {
  this.timeout(30_000);
  const dirs = tempDirs();
  const cacheBefore = process.env['XDG_CACHE_HOME'];
  let server: FaultServer;
  beforeEach(async () => {
    process.env['XDG_CACHE_HOME'] = join(await dirs.make('grounded-ask-context-'), 'cache');
    server = await FaultServer.start(() => ({
      status: 400,
      errorMessage: "This model's maximum context length is 4096 tokens. However, you requested 7510 tokens.",
      errorCode: 'context_length_exceeded',
    }));
  });
  afterEach(async () => {
    await server.close();
    if (cacheBefore === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = cacheBefore;
  });

  const ask = (...flags: string[]) =>
    cli('ask', 'install widget', '--folder', FIXTURE_WORKSPACE, '--no-grading', '--base-url', server.baseUrl, ...flags);

  for (const [what, flags, fix] of [
    [
      'the limit assumed while --max-input-tokens is not given',
      [],
      /fitted them to the 8,192 tokens assumed for the endpoint while --max-input-tokens is unset\. Set it/,
    ],
    [
      'the limit --max-input-tokens set',
      ['--max-input-tokens', '6000'],
      /fitted them to --max-input-tokens \(6,000 tokens\), which is more than the model takes\. Lower it/,
    ],
  ] as const)
    it(`names --max-input-tokens, not the VS Code setting, when the prompt was fitted to ${what}`, async () => {
      const { code, err } = await ask('--model', 'fault-model', ...flags);
      assert.notEqual(code, 0);
      assert.match(err, /^grounded: The question and its passages are longer than the model's context window\. /m);
      assert.match(err, fix);
      assert.doesNotMatch(err, /grounded\.model/);
    });
});
