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

  it('takes Undo and Select Model as bare requests, with nothing the host would act on', () => {
    assert.deepEqual(parsePanelMessage({ type: 'undoClear', turns: [] }), { type: 'undoClear' });
    assert.deepEqual(parsePanelMessage({ type: 'selectModel', command: 'workbench.action.quit' }), {
      type: 'selectModel',
    });
  });
});
