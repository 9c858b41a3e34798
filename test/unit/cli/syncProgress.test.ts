import assert from 'node:assert/strict';
import { PROGRESS_EVERY_MS, progressOnStderr } from '../../../src/cli/openIndex';

describe('what a one-shot CLI command says while the local index syncs', () => {
  function recorder() {
    let clock = 0;
    const said: string[] = [];
    const report = progressOnStderr({ out: () => undefined, err: text => said.push(text) }, ['/ws/big'], () => clock);
    return { said, report, advance: (ms: number) => (clock += ms) };
  }

  it('says nothing of a sync that ends quickly', () => {
    const { said, report, advance } = recorder();
    report({ done: 0, total: 40 });
    advance(PROGRESS_EVERY_MS - 1);
    report({ done: 40, total: 40 });
    assert.deepEqual(said, []);
  });

  it('says which folders a long sync reads and how to stop it, then how far it got, at most once an interval', () => {
    const { said, report, advance } = recorder();
    advance(PROGRESS_EVERY_MS);
    report({ done: 0, total: 0, growing: true });
    report({ done: 16, total: 900, growing: true });
    advance(PROGRESS_EVERY_MS);
    report({ done: 256, total: 5000, growing: true });
    advance(PROGRESS_EVERY_MS / 2);
    report({ done: 512, total: 5000 });
    advance(PROGRESS_EVERY_MS / 2);
    report({ done: 1200, total: 5000 });
    assert.deepEqual(said, [
      'grounded: indexing /ws/big (Ctrl-C stops)\n',
      'grounded: indexing: listing the files…\n',
      'grounded: indexing: 256 of 5000+ files read\n',
      'grounded: indexing: 1200 of 5000 files read\n',
    ]);
  });
});
