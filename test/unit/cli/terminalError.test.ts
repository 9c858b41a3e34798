import assert from 'node:assert/strict';
import { unexpectedError } from '../../../src/cli/terminalError';

describe('unexpectedError', () => {
  const before = process.env['GROUNDED_API_KEY'];
  afterEach(() => {
    if (before === undefined) delete process.env['GROUNDED_API_KEY'];
    else process.env['GROUNDED_API_KEY'] = before;
  });

  it('prints the stack of a failure nobody expected with the known key and credential shapes redacted', () => {
    process.env['GROUNDED_API_KEY'] = 'plain-cli-key-7';
    const text = unexpectedError(
      new Error('upstream said: key plain-cli-key-7 refused for postgres://app:pw-4242@db/x'),
    );
    assert.match(
      text,
      /^grounded: unexpected failure: Error: upstream said: key \[redacted\] refused for postgres:\/\/app:\[redacted\]@db\/x\n {4}at /,
    );
    assert.doesNotMatch(text, /plain-cli-key-7|pw-4242/);
  });
});
