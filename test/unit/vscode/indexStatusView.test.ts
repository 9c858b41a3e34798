import assert from 'node:assert/strict';
import { indexStatusView, type IndexStatusState } from '../../../src/vscode/indexStatusView';

const ready = (files: number, folders = 1): IndexStatusState => ({
  kind: 'ready',
  folders,
  stats: { files, chunks: files * 4, skipped: { binary: 2 }, builtAt: Date.UTC(2026, 0, 2) },
});
const actionsOf = (state: IndexStatusState) => indexStatusView(state).picks.map(p => p.action);

describe('the index status item', () => {
  it('shows the file count with the book icon when the index is ready', () => {
    const view = indexStatusView(ready(1536));
    assert.equal(view.text, '$(book) Grounded: 1,536 files');
    assert.equal(indexStatusView(ready(1)).text, '$(book) Grounded: 1 file');
    assert.equal(
      view.accessibilityLabel,
      'Grounded index: 1,536 files, 6,144 chunks, 2 skipped. Click for index actions.',
    );
    assert.doesNotMatch(view.accessibilityLabel, /\$\(/);
  });

  it('shows a percentage while indexing once the total is known', () => {
    const view = indexStatusView({ kind: 'indexing', done: 400, total: 1000, growing: false });
    assert.equal(view.text, '$(sync~spin) Grounded: indexing 40%');
    assert.match(view.accessibilityLabel, /400 of 1,000 files read \(40%\)/);
  });

  it('shows the files read, not a fraction, while the walk still finds files', () => {
    const view = indexStatusView({ kind: 'indexing', done: 1536, total: 19601, growing: true });
    assert.equal(view.text, '$(sync~spin) Grounded: indexing, 1,536 files read');
    assert.doesNotMatch(view.text, /19,601|%/);
  });

  it('offers the status line, then Rebuild Index, Show Log and Select Model', () => {
    const picks = indexStatusView(ready(6)).picks;
    assert.deepEqual(
      picks.map(p => p.action),
      [undefined, 'rebuild', 'showLog', 'selectModel'],
    );
    assert.equal(picks[0]?.label, '$(book) 6 files, 24 chunks, 2 skipped');
    assert.match(picks[0]?.detail ?? '', /^Last update: /);
    assert.deepEqual(
      picks.slice(1).map(p => p.label),
      ['$(refresh) Rebuild Index', '$(output) Show Log', '$(settings-gear) Select Model'],
    );
  });

  it('offers Cancel Indexing instead of Rebuild while a sync runs', () => {
    assert.deepEqual(actionsOf({ kind: 'indexing', done: 1, total: 2, growing: false }), [
      undefined,
      'cancel',
      'showLog',
      'selectModel',
    ]);
  });

  it('says when there is nothing to index or nothing indexed yet', () => {
    assert.equal(
      indexStatusView(ready(0, 0)).picks[0]?.label,
      '$(book) No folder is open, so there is nothing to index.',
    );
    assert.deepEqual(actionsOf(ready(0, 0)), [undefined, 'showLog', 'selectModel']);
    assert.match(indexStatusView(ready(0)).picks[0]?.detail ?? '', /Nothing here can be searched yet/);
    assert.equal(indexStatusView({ kind: 'starting' }).text, '$(book) Grounded');
  });

  it('passes every string through the given translation', () => {
    const view = indexStatusView(
      ready(6),
      (message, ...args) => `«${message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[+i]))}»`,
    );
    assert.equal(view.text, '$(book) Grounded: «6 files»');
    assert.equal(view.picks[1]?.label, '$(refresh) «Rebuild Index»');
  });
});
