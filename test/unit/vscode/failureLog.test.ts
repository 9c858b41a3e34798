import assert from 'node:assert/strict';
import { GroundedError, toGroundedError } from '../../../src/core/errors';
import { logFailureOnce } from '../../../src/vscode/failureLog';

describe('failure log', () => {
  it('writes a failure once, with the cause chain and its system code, secrets redacted', () => {
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m) };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const error = toGroundedError(
      new Error('Connection error. key=held-secret-value', {
        cause: new TypeError('fetch failed', { cause: refused }),
      }),
    );
    assert.ok(logFailureOnce(log, 'answer', error, ['held-secret-value']));
    assert.ok(!logFailureOnce(log, 'answer', error));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^answer failed \(network\): .* — fetch failed — connect ECONNREFUSED 127\.0\.0\.1:8000$/,
    );
    assert.doesNotMatch(lines[0] ?? '', /held-secret-value/);
  });

  it('redacts a held secret in a cause written as JSON before cutting it short', () => {
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m) };
    // `{"detail":"` and 1,985 characters: the secret starts 4 characters before the 2,000 kept
    const cause = { detail: `${'x'.repeat(1985)}held-secret-value` };
    logFailureOnce(log, 'search', new GroundedError('unknown', 'The search failed.', { cause }), ['held-secret-value']);
    assert.match(lines[0] ?? '', /x\[red/);
    assert.doesNotMatch(lines[0] ?? '', /held/);
  });

  it('adds a code the message does not hold, and logs no cancel', () => {
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m) };
    const cause = Object.assign(new Error('getaddrinfo failed'), { code: 'ENOTFOUND' });
    logFailureOnce(log, 'connection test', new GroundedError('network', 'Could not reach it.', { cause }));
    logFailureOnce(log, 'answer', new GroundedError('cancelled', 'Cancelled.'));
    assert.deepEqual(lines, ['connection test failed (network): Could not reach it. — getaddrinfo failed (ENOTFOUND)']);
  });
});
