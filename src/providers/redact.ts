/**
 * Shapes of credentials that must never reach a log, whoever wrote the text: bearer tokens, OpenAI and Databricks
 * keys, and `api-key: …` style fields. The label stays, so the log still says what was there.
 */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\bdapi[0-9a-f]{16,}(-\d+)?/gi, '[redacted]'],
  // A labelled value, unless it is a bearer token (handled above, label kept) or already redacted.
  [/("?(?:api[-_]?key|authorization|access[-_]?token|token|secret|password)"?\s*[:=]\s*"?)(?!(?:Bearer|Basic)\s|\[redacted\])[^"\s,}&]{6,}/gi, '$1[redacted]'],
];

/** The text with every known secret and every credential-shaped string replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
