import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { folderNames } from '../../../src/index';
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

  it('tells folders of one name apart by the parts before it, as grounded index names their files', () => {
    const locate = locatePushedPath(foldersByPath(['/work/a/app', '/work/b/app', '/work/lib']));
    assert.equal(locate('a/app/x.md'), join('/work/a/app', 'x.md'));
    assert.equal(locate('b/app/x.md'), join('/work/b/app', 'x.md'));
    assert.equal(locate('lib/y.md'), join('/work/lib', 'y.md'));
  });
});

describe('folderNames', () => {
  it('names a folder by the last part of its path, and by as many parts as tell it apart where names repeat', () => {
    assert.deepEqual(folderNames(['/ws/app', '/ws/lib']), ['app', 'lib']);
    assert.deepEqual(folderNames(['/x/a/app', '/y/a/app', '/z/b/app', '/ws/lib']), [
      'x/a/app',
      'y/a/app',
      'b/app',
      'lib',
    ]);
    // a name that would be another's first parts is lengthened: x/app/f.md is then a file of one folder only
    assert.deepEqual(folderNames(['/p/x', '/q/x/app', '/r/app']), ['p/x', 'x/app', 'r/app']);
    assert.deepEqual(folderNames(['/ws/app', '/ws/app']), ['app', 'app']);
    assert.deepEqual(folderNames(['C:\\src\\app', 'D:\\old\\app']), ['src/app', 'old/app']);
  });
});
