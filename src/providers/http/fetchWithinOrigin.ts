import { GroundedError } from '../../core/errors';

/** Redirects followed within one origin before the request is given up (fetch's own limit is 20). */
const MAX_REDIRECTS = 5;

/**
 * `fetch` that follows a redirect only within the origin the request was sent to. fetch follows every redirect,
 * and on a cross-origin hop drops only `Authorization`: an Azure `api-key` header, any other key header and the body
 * (the question, the workspace's passages) would go to whatever server the endpoint names. A redirect to another
 * origin fails with a RedirectRefusedError naming both origins and the setting that holds the address, for the user
 * to check. A `Request` input is sent with redirects refused outright.
 */
export async function fetchWithinOrigin(
  input: string | URL | Request,
  init: RequestInit = {},
  setting?: string,
): Promise<Response> {
  if (input instanceof Request) return fetch(input, { ...init, redirect: 'error' });
  let url = new URL(input);
  let request: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, request);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || response.status === 304 || !location) return response;
    await response.body?.cancel().catch(() => undefined);
    const next = new URL(location, url);
    if (next.origin !== url.origin) throw new RedirectRefusedError(url.origin, next.origin, setting);
    if (hop === MAX_REDIRECTS)
      throw new GroundedError('network', `${url.origin} redirected more than ${MAX_REDIRECTS} times.`, { setting });
    // as fetch does: a 303, or a 301 or 302 of a POST, is followed with a GET and no body; 307 and 308 repeat the request
    const method = (request.method ?? 'GET').toUpperCase();
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST'))
      request = { ...request, method: 'GET', body: undefined };
    url = next;
  }
}

/** A redirect to another origin than the configured one, refused: no request, body or key goes there. */
export class RedirectRefusedError extends GroundedError {
  constructor(from: string, to: string, setting?: string) {
    super(
      'bad-input',
      `${from} redirected the request to ${to}, another origin. Grounded sends requests and keys only to the address ` +
        `you configured${setting ? ` (${setting})` : ''}: check that address (a sign-in page, or the server moved).`,
      // the same request is redirected the same way again: final
      { setting, final: true },
    );
    this.name = 'RedirectRefusedError';
  }
}
