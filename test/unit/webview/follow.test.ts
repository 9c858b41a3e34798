import assert from 'node:assert/strict';
import { followAfterScroll, NEAR_END_PX, offerJump, type ScrollPosition } from '../../../src/webview/follow';

/** A page 2000 px high in a 500 px view, scrolled to `top`. */
const at = (top: number, height = 2000): ScrollPosition => ({ top, viewport: 500, height });
const END = 1500;

describe('following a streaming answer', () => {
  it('keeps following at the end, and when the page got shorter under a reader at the end', () => {
    assert.equal(followAfterScroll(true, END, at(END)), true);
    assert.equal(followAfterScroll(false, 900, at(END)), true, 'scrolled all the way down');
    // the browser moves the scroll position up when the content shrinks: still at the end
    assert.equal(followAfterScroll(true, END, at(1400, 1900)), true);
  });

  it('stops following when the reader scrolls up, even a little', () => {
    assert.equal(followAfterScroll(true, END, at(END - 10)), false);
    assert.equal(followAfterScroll(true, END, at(200)), false);
  });

  it('follows again when the reader scrolls back down near the end, not before', () => {
    assert.equal(followAfterScroll(false, 900, at(END - NEAR_END_PX)), true);
    assert.equal(followAfterScroll(false, 900, at(1200)), false);
  });

  it('keeps its decision when the text grows under a reader who is not following', () => {
    // more text below: the position stays, the end moves away
    assert.equal(followAfterScroll(false, 900, at(900, 2600)), false);
  });

  it('offers "Jump to latest" only to a reader who is not following and has newer text out of view', () => {
    assert.equal(offerJump(false, at(900)), true);
    assert.equal(offerJump(true, at(900)), false);
    assert.equal(offerJump(false, at(END - 5)), false);
    assert.equal(offerJump(false, { top: 0, viewport: 500, height: 300 }), false, 'everything fits');
  });
});
