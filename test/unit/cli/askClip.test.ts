import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { tempDirs } from '../../support/tempDirs';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';
import { cli } from './cliHarness';

describe('grounded ask: the claims under Sources', function () {
  this.timeout(30_000);
  const dirs = tempDirs();
  const cacheBefore = process.env['XDG_CACHE_HOME'];
  afterEach(() => {
    if (cacheBefore === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = cacheBefore;
  });

  it('cuts a long claim between whole characters, never through an emoji', async () => {
    process.env['XDG_CACHE_HOME'] = join(await dirs.make('grounded-ask-clip-'), 'cache');
    // the claim's 79th and 80th UTF-16 units are the two halves of 🚀
    const claim = `Run npm install widget ${'w'.repeat(55)}🚀 and then widget is ready`;
    assert.equal(claim.codePointAt(78), 0x1f680);
    const server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : [claim, ' [1].'],
    }));
    try {
      const { code, out } = await cli(
        'ask',
        'install widget',
        '--folder',
        FIXTURE_WORKSPACE,
        '--no-grading',
        '--base-url',
        server.baseUrl,
        '--model',
        'fault-model',
      );
      assert.equal(code, 0);
      const line = out.split('\n').find(l => l.startsWith('  [1] '));
      assert.ok(line, out);
      assert.ok(line.endsWith(`“${claim.slice(0, 78)}…”`), line);
      assert.doesNotMatch(line, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone half of a character');
    } finally {
      await server.close();
    }
  });
});
