import { EndpointRequestError, GroundedError, isAbort } from '../../core/errors';
import { originOf } from '../secretOrigin';
import { fetchWithinOrigin } from './fetchWithinOrigin';
import { failingWithoutAnswer } from './replyWithoutAnswer';
import { failingUnlessEnded } from './sseEnd';
import { WebPageReplyError } from './webPageReplyError';

/**
 * `fetch` for a client that reports a failed connection without its URL (the OpenAI client says "Connection
 * error."): a request that gets no response fails with an EndpointRequestError naming the endpoint's origin (never a
 * path, query or credentials) and the setting that holds it, around fetch's own error, so `toGroundedError` can say
 * where and why. Redirects are followed only within the endpoint's origin (`fetchWithinOrigin`); a cancel and a
 * refused redirect pass through unchanged. A stream that does not end as an answer does fails (`failingUnlessEnded`).
 * A web page answered with 200 (a sign-in page, a web app at a wrong base URL) fails as such: the client would read
 * it as an empty stream, or fail on a reply without `choices`, and neither says what is wrong. A whole reply (not a
 * stream) that holds no answer, an empty or unreadable one among them, fails as such too (`failingWithoutAnswer`).
 */
export function fetchNamingEndpoint(baseUrl: string, setting?: string): typeof fetch {
  const endpoint = originOf(baseUrl) ?? 'the configured endpoint';
  return async (input, init) => {
    try {
      const response = await fetchWithinOrigin(input, init, setting);
      if (response.ok && /^text\/html/i.test(response.headers.get('content-type') ?? '')) {
        await response.body?.cancel().catch(() => undefined);
        throw new WebPageReplyError(
          endpoint,
          `${endpoint} answered with a web page, not the OpenAI-compatible API. Check the base URL (a sign-in page or a web app is not the API).`,
          setting,
        );
      }
      return failingUnlessEnded(await failingWithoutAnswer(response, endpoint, setting));
    } catch (e) {
      if (isAbort(e) || init?.signal?.aborted || e instanceof GroundedError) throw e;
      throw new EndpointRequestError(endpoint, setting, e);
    }
  };
}
