import assert from 'node:assert/strict';
import { parsePanelMessage } from '../../../src/shared/messages';

describe('messages from the panel webview', () => {
  it('takes openCitation with a source number, and with a chip’s marker ordinal', () => {
    assert.deepEqual(parsePanelMessage({ type: 'openCitation', turnId: 't', n: 2 }), {
      type: 'openCitation',
      turnId: 't',
      n: 2,
    });
    assert.deepEqual(parsePanelMessage({ type: 'openCitation', turnId: 't', n: 2, ordinal: 0 }), {
      type: 'openCitation',
      turnId: 't',
      n: 2,
      ordinal: 0,
    });
  });

  it('refuses an openCitation whose ordinal is not a whole number from 0, or that names a path', () => {
    for (const ordinal of [-1, 1.5, '3', null, Number.NaN]) {
      assert.equal(parsePanelMessage({ type: 'openCitation', turnId: 't', n: 2, ordinal }), undefined, String(ordinal));
    }
    assert.deepEqual(parsePanelMessage({ type: 'openCitation', turnId: 't', n: 1, path: '/etc/passwd' }), {
      type: 'openCitation',
      turnId: 't',
      n: 1,
    });
  });

  it('takes runAction with the whole index of the fix button clicked, from 0', () => {
    for (const index of [0, 3]) {
      assert.deepEqual(parsePanelMessage({ type: 'runAction', turnId: 't', index, command: 'workbench.action.quit' }), {
        type: 'runAction',
        turnId: 't',
        index,
      });
    }
  });

  it('refuses a runAction without an index, or whose index is not a whole number from 0', () => {
    for (const index of [undefined, -1, 1.5, '1', null, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(parsePanelMessage({ type: 'runAction', turnId: 't', index }), undefined, String(index));
    }
    assert.equal(parsePanelMessage({ type: 'runAction', index: 0 }), undefined);
  });

  it('takes Undo and Select Model as bare requests, with nothing the host would act on', () => {
    assert.deepEqual(parsePanelMessage({ type: 'undoClear', turns: [] }), { type: 'undoClear' });
    assert.deepEqual(parsePanelMessage({ type: 'selectModel', command: 'workbench.action.quit' }), {
      type: 'selectModel',
    });
  });
});
