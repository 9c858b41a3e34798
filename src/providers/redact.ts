/**
 * Shapes of credentials that must never reach a log or a message, whoever wrote the text: bearer tokens, OpenAI and
 * Databricks keys, bare hex keys, passwords in URLs and `api-key: …` style fields. A label stays, so the text still
 * says what was there.
 *
 * Hex: every run of 32 or more hex digits standing alone is taken for a key. Azure OpenAI keys are 32 hex digits and
 * a self-hosted server's key is often `openssl rand -hex 32` (64); a SHA-1 or SHA-256 digest (40, 64) has the same
 * shape and is redacted too, which costs little: Grounded's own messages never print digests, and the texts that
 * pass here are server replies and error causes. Ids with a prefix or dashes (`req_…`, UUIDs) stay.
 */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\bdapi[0-9a-f]{16,}(-\d+)?/gi, '[redacted]'],
  // The password of `scheme://user:password@host` (postgres://, postgresql://, https://…); up to the last `@`
  // before the host, as URL parsers read it.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#]+@/gi, '$1[redacted]@'],
  [/(?<![\w-])[0-9a-f]{32,}(?![\w-])/gi, '[redacted]'],
  // A labelled value, unless it is a bearer token (handled above, label kept) or already redacted.
  [
    /("?(?:api[-_]?key|subscription[-_]?key|authorization|auth|access[-_]?token|token|secret|password|passwd|pwd)"?\s*[:=]\s*"?)(?!(?:Bearer|Basic)\s|\[redacted\])[^"\s,}&]{6,}/gi,
    '$1[redacted]',
  ],
];

/** The text with every known secret and every credential-shaped string replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The secrets a request's headers carry: the value of every header but the plain ones (content type, user agent…),
 * and the credential after `Bearer`/`Basic`, so a server that echoes either is redacted by value.
 */
export function secretsInHeaders(headers: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (/^(content-type|accept|user-agent|content-length)$/i.test(name)) continue;
    // The credential first, so an echoed `Bearer …` keeps its label.
    const credential = /^(?:Bearer|Basic)\s+(\S+)$/i.exec(value)?.[1];
    if (credential) secrets.push(credential);
    secrets.push(value);
  }
  return secrets;
}
