import assert from 'node:assert/strict';
import { redactSecrets } from '../../../src/providers/redact';

describe('redactSecrets', () => {
  it('removes a known key wherever it appears', () => {
    assert.equal(redactSecrets('key=abc123xyz in url?k=abc123xyz', ['abc123xyz']), 'key=[redacted] in url?k=[redacted]');
  });

  it('removes credential-shaped strings it was not told about, keeping their labels', () => {
    const text = 'Authorization: Bearer dapi0123456789abcdef0123456789abcdef-2 and sk-proj-AbCdEf123456 and {"api-key":"zzzzzzzz"} token=qwertyuiop';
    const out = redactSecrets(text);
    assert.ok(!/dapi0123|AbCdEf123456|zzzzzzzz|qwertyuiop/.test(out), out);
    assert.match(out, /Authorization: \[redacted\]|Bearer \[redacted\]/);
    assert.match(out, /"api-key":"\[redacted\]"/);
  });

  it('leaves ordinary log lines alone', () => {
    const line = 'connection test: Databricks Model Serving · llama answered in 312 ms';
    assert.equal(redactSecrets(line, ['']), line);
  });
});
