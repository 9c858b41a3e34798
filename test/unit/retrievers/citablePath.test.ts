import assert from 'node:assert/strict';
import { refusedRowsNotice, uncitablePathReason } from '../../../src/retrievers/citablePath';

describe('citable paths from remote indexes', () => {
  it('cites relative paths inside the workspace and http(s) URLs', () => {
    for (const path of [
      'docs/a.md',
      'README.md',
      'src\\win\\a.ts',
      'a..b/c..md',
      '.github/workflows/ci.yml',
      'https://wiki.example.com/x',
      'HTTP://intranet/page',
    ])
      assert.equal(uncitablePathReason(path), undefined, path);
  });

  it('refuses absolute paths, .. segments, other schemes, and empty or control-character paths', () => {
    const cases: [string, RegExp][] = [
      ['../../.ssh/id_rsa', /\.\./],
      ['docs/../../../etc/passwd', /\.\./],
      ['docs\\..\\..\\secrets.txt', /\.\./],
      ['/etc/passwd', /absolute path/],
      ['//evil.example.com/share', /absolute path/],
      ['\\\\server\\share\\file', /absolute path/],
      ['C:\\Users\\me\\.aws\\credentials', /absolute Windows path/],
      ['c:/Windows/win.ini', /absolute Windows path/],
      ['command://workbench.action.terminal.sendSequence', /scheme command:/],
      ['command:workbench.action.openSettings', /scheme command:/],
      ['file:///etc/passwd', /scheme file:/],
      ['vscode://vscode.git/clone?url=x', /scheme vscode:/],
      ['javascript:alert(1)', /scheme javascript:/],
      ['', /no path/],
      ['docs/a\u0000.md', /control characters/],
    ];
    for (const [path, reason] of cases)
      assert.match(uncitablePathReason(path) ?? 'cited', reason, JSON.stringify(path));
  });

  it('says how many rows were left out, with the first one as an example', () => {
    const notice = refusedRowsNotice('The table t', [
      { path: '/etc/passwd', reason: 'an absolute path' },
      { path: '../x', reason: 'a “..” segment' },
    ]);
    assert.equal(
      notice,
      'The table t: 2 rows were left out because their paths point outside the workspace (for example “/etc/passwd”: an absolute path).',
    );
  });
});
