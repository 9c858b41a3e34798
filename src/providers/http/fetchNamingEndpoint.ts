import { EndpointRequestError, isAbort } from '../../core/errors';
import { originOf } from '../secretOrigin';

/**
 * `fetch` for a client that reports a failed connection without its URL (the OpenAI client says "Connection
 * error."): a request that gets no response fails with an EndpointRequestError naming the endpoint's origin (never a
 * path, query or credentials) and the setting that holds it, around fetch's own error, so `toGroundedError` can say
 * where and why. A cancel passes through unchanged.
 */
export function fetchNamingEndpoint(baseUrl: string, setting?: string): typeof fetch {
  const endpoint = originOf(baseUrl) ?? 'the configured endpoint';
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (e) {
      if (isAbort(e) || init?.signal?.aborted) throw e;
      throw new EndpointRequestError(endpoint, setting, e);
    }
  };
}
