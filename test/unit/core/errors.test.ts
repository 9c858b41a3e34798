import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as errors from '../../../src/core/errors';
import { asError, GroundedError, isAbort, toGroundedError } from '../../../src/core/errors';
import { StoreFolderError } from '../../../src/index';

/** A second copy of src/core/errors, as the core bundle holds beside the extension's entry bundle. */
function secondCopy(): typeof errors {
  const load = createRequire(__filename);
  const id = load.resolve('../../../src/core/errors');
  const first = require.cache[id];
  delete require.cache[id];
  try {
    return load(id) as typeof errors;
  } finally {
    if (first) require.cache[id] = first;
  }
}

describe('GroundedError across copies of its module (the entry bundle and the core bundle)', () => {
  const other = secondCopy();

  it('is a distinct class in the second copy', () => {
    assert.notEqual(other.GroundedError, GroundedError);
  });

  it('is a GroundedError for either copy, so toGroundedError keeps its kind and message', () => {
    const fromCore = new other.GroundedError('auth', 'The endpoint rejected the key.');
    assert.ok(fromCore instanceof GroundedError);
    assert.ok(new GroundedError('index', 'x') instanceof other.GroundedError);
    assert.equal(toGroundedError(fromCore), fromCore);
    assert.equal(toGroundedError(fromCore).kind, 'auth');
    assert.ok(isAbort(new other.GroundedError('cancelled', 'Cancelled.')));
  });

  it('leaves other errors and values out, and subclasses to their own prototype check', () => {
    assert.ok(!(new Error('plain') instanceof GroundedError));
    for (const value of [null, undefined, 'auth', { kind: 'auth' }] as unknown[])
      assert.ok(!GroundedError[Symbol.hasInstance](value));
    assert.ok(new StoreFolderError('foreign', 'not Grounded’s') instanceof GroundedError);
    assert.ok(!(new GroundedError('index', 'x') instanceof StoreFolderError));
  });
});

describe('asError', () => {
  it('returns an Error as the same object', () => {
    const error = new TypeError('bad');
    assert.equal(asError(error), error);
  });

  it('turns anything else into an Error whose message is its text', () => {
    for (const value of ['disk full', 42, null, undefined, { toString: () => 'an object' }] as unknown[]) {
      const error = asError(value);
      assert.ok(error instanceof Error);
      assert.equal(error.message, String(value));
    }
  });
});
