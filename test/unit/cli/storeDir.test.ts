import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultStoreDir } from '../../../src/cli/storeDir';

describe('where the CLI keeps a folder set’s index', () => {
  const before = process.env['XDG_CACHE_HOME'];
  afterEach(() => {
    if (before === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = before;
  });

  it('is under XDG_CACHE_HOME when it is an absolute path', () => {
    process.env['XDG_CACHE_HOME'] = '/var/cache/me';
    assert.ok(defaultStoreDir(['/ws']).startsWith(join('/var/cache/me', 'grounded', 'index')));
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG spec says, instead of writing into the current folder', () => {
    process.env['XDG_CACHE_HOME'] = 'cache';
    assert.ok(defaultStoreDir(['/ws']).startsWith(join(homedir(), '.cache', 'grounded', 'index')));
  });

  it('is one folder per folder set', () => {
    delete process.env['XDG_CACHE_HOME'];
    assert.notEqual(defaultStoreDir(['/a']), defaultStoreDir(['/b']));
    assert.equal(defaultStoreDir(['/a', '/b']), defaultStoreDir(['/a', '/b']));
  });
});
