import assert from 'node:assert/strict';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { openableHere, realPathInside } from '../../../src/retrievers/realPathInside';
import { tempDirs } from '../../support/tempDirs';

describe('a relative location is never inside the workspace folders', () => {
  const dirs = tempDirs();

  /** A workspace folder with a file in it, and a file outside it. */
  async function layout(): Promise<{ ws: string; inside: string; secret: string }> {
    const temp = await realpath(await dirs.make('grounded-relative-'));
    const ws = join(temp, 'ws');
    await mkdir(ws);
    await mkdir(join(temp, 'outside'));
    const inside = join(ws, 'notes.md');
    const secret = join(temp, 'outside', 'secret.md');
    await writeFile(inside, 'Notes.\n');
    await writeFile(secret, 'The launch code is 0000.\n');
    return { ws, inside, secret };
  }

  it('does not open a file outside named from the root without its leading separator', async () => {
    const { ws, secret } = await layout();
    // what an editor opens for it: vscode.Uri.file('tmp/…/secret.md') is /tmp/…/secret.md
    const fromRoot = secret.slice(secret.indexOf(sep) + 1);
    assert.equal(await openableHere(secret, [ws]), false);
    assert.equal(await openableHere(fromRoot, [ws]), false);
  });

  it('does not resolve a location against the working directory', async () => {
    const { ws, inside } = await layout();
    const fromCwd = relative(process.cwd(), inside);
    assert.equal(await realPathInside(inside, [ws]), inside);
    assert.equal(await realPathInside(fromCwd, [ws]), undefined);
    assert.equal(await openableHere(fromCwd, [ws]), false);
  });
});
