import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { resolveFolders } from '../../../src/cli/folderArgs';
import { GroundedError } from '../../../src/core/errors';
import { cli } from './cliHarness';
import { tempDirs } from '../../support/tempDirs';

describe('CLI --folder', () => {
  const dirs = tempDirs();

  it('refuses a folder it cannot list as bad input, naming it and the reason, instead of finding no files in it', async () => {
    const folder = await dirs.make('grounded-locked-');
    const denied = (path: string) =>
      Promise.reject(Object.assign(new Error(`EACCES: permission denied, access '${path}'`), { code: 'EACCES' }));
    await assert.rejects(resolveFolders([folder], denied), (e: unknown) => {
      assert.ok(e instanceof GroundedError);
      assert.equal(e.kind, 'bad-input');
      assert.equal(
        e.message,
        `The folder ${folder} cannot be read (EACCES). Check its permissions, or pass a folder you can read.`,
      );
      return true;
    });
  });

  it('exits 2 for a folder without read permission (chmod 000), as for a missing one', async function () {
    // the superuser reads every folder whatever its mode: only another user is refused
    if (process.getuid?.() === 0) this.skip();
    const folder = await dirs.make('grounded-locked-');
    await chmod(folder, 0o000);
    try {
      const { code, out, err } = await cli('search', 'anything', '--folder', folder, '--json');
      assert.equal(code, 2);
      assert.match(err, /cannot be read \(EACCES\)/);
      assert.equal(JSON.parse(out).error.kind, 'bad-input');
    } finally {
      await chmod(folder, 0o700);
    }
  });
});
