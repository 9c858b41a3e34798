import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { foldersByPath, locatePushedPath } from '../../../src/retrievers/locatePushedPath';

describe('locatePushedPath', () => {
  it('opens a pushed path in the first folder, a URL as it is', () => {
    const locate = locatePushedPath(foldersByPath(['/ws/app']));
    assert.equal(locate('docs/a.md'), join('/ws/app', 'docs/a.md'));
    assert.equal(locate('https://wiki.example.com/x'), 'https://wiki.example.com/x');
  });

  it('with several folders, opens a path named after a folder in that folder, as grounded index names them', () => {
    const locate = locatePushedPath(foldersByPath(['/ws/app', '/ws/lib']));
    assert.equal(locate('lib/src/x.ts'), join('/ws/lib', 'src/x.ts'));
    assert.equal(locate('other/y.ts'), join('/ws/app', 'other/y.ts'));
  });
});
