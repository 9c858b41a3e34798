import { EndpointRequestError, GroundedError, isAbort } from '../../core/errors';
import { originOf } from '../secretOrigin';
import { fetchWithinOrigin } from './fetchWithinOrigin';
import { failingUnlessEnded } from './sseEnd';

/**
 * `fetch` for a client that reports a failed connection without its URL (the OpenAI client says "Connection
 * error."): a request that gets no response fails with an EndpointRequestError naming the endpoint's origin (never a
 * path, query or credentials) and the setting that holds it, around fetch's own error, so `toGroundedError` can say
 * where and why. Redirects are followed only within the endpoint's origin (`fetchWithinOrigin`); a cancel and a
 * refused redirect pass through unchanged. A stream that does not end as an answer does fails (`failingUnlessEnded`).
 */
export function fetchNamingEndpoint(baseUrl: string, setting?: string): typeof fetch {
  const endpoint = originOf(baseUrl) ?? 'the configured endpoint';
  return async (input, init) => {
    try {
      return failingUnlessEnded(await fetchWithinOrigin(input, init, setting));
    } catch (e) {
      if (isAbort(e) || init?.signal?.aborted || e instanceof GroundedError) throw e;
      throw new EndpointRequestError(endpoint, setting, e);
    }
  };
}
