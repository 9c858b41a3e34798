import { GroundedError, quotedLine } from '../../core/errors';
import { redactSecrets } from '../redact';

/** Where to look, said as the 404 of a wrong model name says it (the CLI names its flags instead of the command). */
const CHECK = 'Check the base URL and model name, then run “Grounded: Test Connection”.';
const TEST_CONNECTION = { title: 'Test Connection', command: 'grounded.testConnection' };

/**
 * A completion's whole reply (a response with 200 that is not an event stream), read and checked for an answer
 * before the client reads it: a body that is empty, is not JSON, or holds no `choices` fails with a GroundedError
 * that says so, and one that holds a server's `error` instead (a gateway that reports an upstream failure with 200)
 * quotes that error's message. The client would otherwise fail on such a reply with a TypeError of its own ("Cannot
 * read properties of undefined"), which names neither the endpoint nor what it sent. Final: asked again, the
 * endpoint sends the same. Any other response is returned as it came (its body, once read, given anew).
 */
export async function failingWithoutAnswer(response: Response, endpoint: string, setting?: string): Promise<Response> {
  if (!response.ok || /^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) return response;
  const body = await response.text();
  const problem = answerProblem(body, endpoint);
  if (problem)
    throw new GroundedError(problem.kind, problem.message, { setting, action: TEST_CONNECTION, final: true });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** What keeps a completion's body from being an answer, in words: undefined when it holds choices. */
function answerProblem(body: string, endpoint: string): { kind: 'bad-input' | 'unknown'; message: string } | undefined {
  if (body.trim() === '')
    return { kind: 'bad-input', message: `${endpoint} sent an empty reply, not an answer. ${CHECK}` };
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return {
      kind: 'bad-input',
      message: `${endpoint} sent a reply that is not JSON, not the OpenAI-compatible API's. ${CHECK}`,
    };
  }
  const fields = typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>) : {};
  if (Array.isArray(fields.choices) && fields.choices.length > 0) return undefined;
  const said = errorMessage(fields.error);
  if (said)
    // the server's own failure, which Grounded has no kind for: said in its words
    return { kind: 'unknown', message: `${endpoint} answered with an error instead of an answer: “${said}”. ${CHECK}` };
  return {
    kind: 'bad-input',
    message: `${endpoint} sent a reply with no answer in it (no choices), not the OpenAI-compatible API's. ${CHECK}`,
  };
}

/** An `error` field's message (`{"error": {"message": …}}` or `{"error": "…"}`), on one line, shortened, redacted. */
function errorMessage(error: unknown): string | undefined {
  const message =
    typeof error === 'string'
      ? error
      : typeof error === 'object' && error !== null
        ? (error as { message?: unknown }).message
        : undefined;
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  return quotedLine(redactSecrets(message));
}
