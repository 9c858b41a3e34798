import assert from 'node:assert/strict';
import { indexReportMarkdown, indexReportText, skippedCounts, type IndexReport } from '../../../src/index';

const builtAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const report = (over: Partial<IndexReport> = {}): IndexReport => ({
  folders: ['/ws/app', '/ws/docs'],
  files: 1234,
  chunks: 5678,
  skipped: { binary: 2, 'too-large': 0, 'outside-link': 1, minified: 1 },
  builtAt,
  buildMs: 1250,
  ...over,
});

describe('the index report, rendered', () => {
  it('lists counts, skips by reason, a sentence per noted skip and when it was built, as markdown for chat', () => {
    assert.equal(
      indexReportMarkdown(report()),
      [
        '**Grounded index** of `/ws/app`, `/ws/docs`',
        '',
        '- 1,234 files, 5,678 chunks',
        '- skipped: 2 binary, 1 minified',
        '- 1 link leading outside the workspace was skipped (nothing outside the workspace folders is read).',
        `- built ${builtAt.toLocaleString()} in 1.3 s`,
      ].join('\n'),
    );
  });

  it('writes a folder with a backtick in its name in a code span that shows it whole', () => {
    assert.match(indexReportMarkdown(report({ folders: ['/ws/a`b'] })), /^\*\*Grounded index\*\* of ``\/ws\/a`b``\n/);
  });

  it('says the same in plain text, with no markdown, for a message box', () => {
    assert.deepEqual(indexReportText(report()), {
      title: 'Grounded index of /ws/app, /ws/docs',
      items: [
        '1,234 files, 5,678 chunks',
        'skipped: 2 binary, 1 minified',
        '1 link leading outside the workspace was skipped (nothing outside the workspace folders is read).',
        `built ${builtAt.toLocaleString()} in 1.3 s`,
      ],
    });
  });

  it('says no file was skipped, and advises adding text files when nothing can be searched', () => {
    const empty = report({ files: 0, chunks: 0, skipped: {}, builtAt: undefined });
    assert.deepEqual(indexReportText(empty), {
      title: 'Grounded index of /ws/app, /ws/docs',
      items: ['0 files, 0 chunks', 'no files skipped'],
      advice: 'Nothing here can be searched yet: add text files (docs, code, notes) to the workspace.',
    });
    assert.match(indexReportMarkdown(empty), /\n- no files skipped\n\nNothing here can be searched yet/);
  });

  it('says how to open a folder when none is open, in both renderings', () => {
    const none = report({ folders: [] });
    assert.match(indexReportMarkdown(none), /^No folder is open.*Open a folder/);
    assert.deepEqual(indexReportText(none), { title: indexReportMarkdown(none), items: [] });
  });

  it('counts skips in reason order, leaving out zero counts and the reasons that get a sentence', () => {
    assert.deepEqual(skippedCounts({ 'file-limit': 3, unreadable: 1200, binary: 1, 'symlink-loop': 0 }), [
      '1 binary',
      '1,200 unreadable',
    ]);
  });
});
