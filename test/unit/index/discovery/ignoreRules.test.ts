import assert from 'node:assert/strict';
import {
  excludeMatcher,
  expandBraces,
  globsToIgnoreRules,
  IgnoreStack,
} from '../../../../src/index/discovery/ignoreRules';

describe('globsToIgnoreRules', () => {
  it('anchors slash-less globs at the root and keeps **/ globs', () => {
    assert.deepEqual(globsToIgnoreRules(['**/node_modules', '*.log', './out', 'a/b']), [
      '**/node_modules',
      '/*.log',
      '/out',
      'a/b',
    ]);
  });

  it('expands braces', () => {
    assert.deepEqual(expandBraces('**/*.{js,map}'), ['**/*.js', '**/*.map']);
    assert.deepEqual(expandBraces('{a,b/{c,d}}'), ['a', 'b/c', 'b/d']);
    assert.deepEqual(expandBraces('no{brace'), ['no{brace']);
  });

  it('matches like VS Code globs', () => {
    const excluded = excludeMatcher(['**/node_modules', '*.log', '**/*.{tmp,bak}']);
    assert.equal(excluded('node_modules', true), true);
    assert.equal(excluded('a/b/node_modules', true), true);
    assert.equal(excluded('x.log', false), true);
    assert.equal(excluded('sub/x.log', false), false);
    assert.equal(excluded('deep/file.bak', false), true);
    assert.equal(excluded('src/a.ts', false), false);
  });
});

describe('IgnoreStack', () => {
  it('lets a deeper ignore file override a shallower one', () => {
    const stack = IgnoreStack.empty().with('', ['*.log']).with('sub/', ['!keep.log']);
    assert.equal(stack.ignores('x.log', false), true);
    assert.equal(stack.ignores('sub/x.log', false), true);
    assert.equal(stack.ignores('sub/keep.log', false), false);
    assert.equal(stack.ignores('keep.log', false), true);
  });

  it('matches directory-only rules against directories only', () => {
    const stack = IgnoreStack.empty().with('', ['build/']);
    assert.equal(stack.ignores('build', true), true);
    assert.equal(stack.ignores('build', false), false);
  });
});
