import { GroundedError } from '../../core/errors';

/** What says an OpenAI-compatible stream ended in order: its `[DONE]` line, or a chunk's non-null finish reason. */
const ENDED = /(?:^|\n)data:[ \t]*\[DONE\]|"finish_reason"[ \t]*:[ \t]*"/;
/** Characters of one piece kept for the next, so an end split across two network reads is still seen. */
const OVERLAP = 64;

/**
 * An event-stream response whose body fails, at its end, when nothing in it said the answer ended (no `[DONE]` and
 * no finish reason): the connection was closed in order mid-answer (a proxy's timeout, a server that died), which
 * the client would otherwise read as a whole answer. Read here, below the client, since the client drops both the
 * `[DONE]` line and a final chunk that has no `delta`. The core keeps the partial answer and offers a retry.
 */
export function failingUnlessEnded(response: Response): Response {
  if (!response.body || !/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) return response;
  const decoder = new TextDecoder();
  let tail = '';
  let ended = false;
  const watch = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (!ended) {
        const text = tail + decoder.decode(chunk, { stream: true });
        ended = ENDED.test(text);
        tail = text.slice(-OVERLAP);
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (!ended)
        controller.error(
          new GroundedError('network', 'the endpoint closed the stream before the answer was finished.'),
        );
    },
  });
  return new Response(response.body.pipeThrough(watch), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
