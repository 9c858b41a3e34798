import assert from 'node:assert/strict';
import { errorMessage, errorOf } from '../../../../src/index/build/workerMessages';

describe("a worker's 'error' message", () => {
  it('carries the message and stack of an Error, and errorOf gives them back', () => {
    const thrown = new Error('The segment could not be read.');
    const message = errorMessage(thrown);
    assert.deepEqual(message, { type: 'error', message: thrown.message, stack: thrown.stack });
    const received = errorOf(message);
    assert.equal(received.message, thrown.message);
    assert.equal(received.stack, thrown.stack);
  });

  it('carries the text of anything else thrown, without a stack', () => {
    assert.deepEqual(errorMessage('out of disk'), { type: 'error', message: 'out of disk', stack: undefined });
  });
});
