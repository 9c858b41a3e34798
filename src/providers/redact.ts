/** Names of fields that hold a credential, also ending a longer name (`x-api-key`, `access_token`, `PGPASSWORD`). */
const LABELS = String.raw`api[-_]?key|subscription[-_]?key|auth|token|secret|password|passwd|pwd`;
/** A field's value: up to a quote, a space, a comma, a brace or `&`. */
const VALUE = String.raw`[^"\s,}&]+`;
/** An `Authorization` scheme before its credential: `Bearer `, `Token `, `ApiKey `… */
const SCHEME = String.raw`(?:[A-Za-z][\w-]*\s+)`;
/** The schemes a token's label may name before it (`auth=Bearer …`). */
const BEARER = String.raw`(?:Bearer|Basic)\s`;
/** A value that is a short word or number (`auth: none`, `"token": 0`, `"secret": true`), not a credential. */
const WORD = String.raw`(?:[A-Za-z]{1,5}|\d{1,5})[.;:!?)]*(?![^"\s,}&])`;

/**
 * Shapes of credentials that must never reach a log or a message, whoever wrote the text: bearer tokens, OpenAI and
 * Databricks keys, JWTs, Azure keys, bare hex keys, passwords in URLs, `Authorization` headers, credential parameters
 * of a URL's query and `api-key: …` style fields. A label (and an `Authorization` scheme) stays, so the text still
 * says what was there.
 *
 * Hex: every run of 32 or more hex digits standing alone is taken for a key. Azure OpenAI keys are 32 hex digits and
 * a self-hosted server's key is often `openssl rand -hex 32` (64); a SHA-1 or SHA-256 digest (40, 64) has the same
 * shape and is redacted too, which costs little: Grounded's own messages never print digests, and the texts that
 * pass here are server replies and error causes. Ids with a prefix or dashes (`req_…`, UUIDs) stay.
 *
 * Labelled values: an `Authorization` header's credential and a credential parameter of a URL's query are redacted
 * whatever they hold (a short Basic credential, `?key=…`); any other labelled value unless it is a short word or
 * number, which is prose or JSON (`token: none`, `"auth": false`), not a key.
 */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\bdapi[0-9a-f]{16,}(-\d+)?/gi, '[redacted]'],
  // A JWT (Databricks OAuth, Entra ID tokens): base64url header `{"…`, payload and signature.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
  // Azure's 84-character keys, which carry the `JQQJ9` signature of Azure's identifiable keys.
  [/(?<![\w-])[A-Za-z0-9]{20,}JQQJ9[A-Za-z0-9]{20,}(?![\w-])/g, '[redacted]'],
  // The password of `scheme://user:password@host` (postgres://, postgresql://, https://…); up to the last `@`
  // before the host, as URL parsers read it.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#]+@/gi, '$1[redacted]@'],
  [/(?<![\w-])[0-9a-f]{32,}(?![\w-])/gi, '[redacted]'],
  // An `Authorization` header's credential, after its scheme when it has one (`Token …`, `Basic …`, `ApiKey …`).
  [
    new RegExp(
      String.raw`(\b(?:proxy-)?authorization"?\s*[:=]\s*"?(?!${SCHEME}?\[redacted\])${SCHEME}?)${VALUE}`,
      'gi',
    ),
    '$1[redacted]',
  ],
  // A credential parameter of a URL's query (`?key=…`, `&api_key=…`, `&access_token=…`, `&client_secret=…`).
  [new RegExp(String.raw`([?&](?:[\w-]*[-_])?(?:key|${LABELS})=)(?!\[redacted\])[^\s&#"]+`, 'gi'), '$1[redacted]'],
  // A labelled value (after `Bearer `/`Basic `, kept, when it has one), unless already redacted or a short word.
  [
    new RegExp(
      String.raw`("?(?:${LABELS})"?\s*[:=]\s*"?)(?:(${BEARER}+)(?!\[redacted\])${VALUE}|(?!${BEARER}|\[redacted\]|${WORD})${VALUE})`,
      'gi',
    ),
    '$1$2[redacted]',
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
