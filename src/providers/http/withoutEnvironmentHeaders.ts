/**
 * `fetch` without the headers the OpenAI client adds from the environment: `OpenAI-Organization` and
 * `OpenAI-Project` (OPENAI_ORG_ID, OPENAI_ORGANIZATION, OPENAI_PROJECT_ID) and every header OPENAI_CUSTOM_HEADERS
 * names (a proxy's credentials, say, or an `Authorization` that would replace the endpoint's own key). Whoever set
 * them meant them for OpenAI or their own proxy, not for the endpoint Grounded's settings name. `own` are the
 * headers that carry the endpoint's key, set again after the environment's are gone; a request's content type is
 * kept whatever the environment names.
 */
export function withoutEnvironmentHeaders(
  fetch: typeof globalThis.fetch,
  own: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): typeof globalThis.fetch {
  const names = new Set(['openai-organization', 'openai-project']);
  for (const line of (env['OPENAI_CUSTOM_HEADERS'] ?? '').split('\n')) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (name && name !== 'content-type' && name !== 'accept') names.add(name);
  }
  return (input, init) => {
    const headers = new Headers(init?.headers);
    for (const name of names) headers.delete(name);
    for (const [name, value] of Object.entries(own)) headers.set(name, value);
    return fetch(input, { ...init, headers });
  };
}
