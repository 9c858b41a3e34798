import { finishFailure, GroundedError } from '../../core/errors';

/** An OpenAI-compatible stream's `[DONE]` line, after any of the three line ends SSE allows (`\n`, `\r\n`, `\r`). */
const DONE = /(?:^|[\r\n])data:[ \t]*\[DONE\]/;
/**
 * A `data:` field at a line's start: SSE makes an event only of lines with one (a comment, `: keep-alive`, is none).
 * A read that begins mid-line may match text that only looks like a field: at worst a stream without events is then
 * judged as one that closed early.
 */
const DATA = /(?:^|[\r\n])data:/;
/** A chunk's non-null finish reason. */
const FINISH = /"finish_reason"[ \t]*:[ \t]*"([^"\\]*)"/g;
/** Characters of one piece kept for the next, so an end split across two network reads is still seen. */
const OVERLAP = 64;
/** A blank line (`\n\n`): ends the event before it, and is nothing after a blank line. */
const blankLine = () => Uint8Array.of(10, 10);

/**
 * An event-stream response whose body fails at its end when the stream did not end as an answer does: closed with
 * neither `[DONE]` nor a finish reason (a proxy's timeout, a server that died: the client would read the cut answer as
 * a whole one), or stopped by a content filter or the output limit (`finish_reason` `content_filter`, `length`). Read
 * here, below the client, which drops both the `[DONE]` line and a final chunk without `delta`. The core keeps the
 * partial answer and offers a retry; before the first token a refusal is final. A stream the server ends in order
 * without a single event is no answer cut short but an endpoint that does not stream this request (a gateway that
 * buffers or drops events, a server that answers a streamed request with an empty body): it fails as not worth
 * streaming again, so the core asks for the whole answer at once (itself one more request) without the retries.
 * A connection lost instead (a server that died) fails in the client, not here, and is retried.
 *
 * A stream that ends as an answer gets a blank line after its last byte: a server that closes the stream right after
 * its last event, without the blank line that ends an event, would otherwise lose that event in the client, which
 * drops an unended event, and with it the answer's last piece (the finish reason read above is in it too).
 */
export function failingUnlessEnded(response: Response): Response {
  // an error status is read whole as the error's body, whatever its type says: it is no answer to judge the end of
  if (!response.ok || !response.body || !/^text\/event-stream/i.test(response.headers.get('content-type') ?? ''))
    return response;
  const decoder = new TextDecoder();
  let tail = '';
  let done = false;
  let events = false;
  let finish: string | undefined;
  const watch = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const text = tail + decoder.decode(chunk, { stream: true });
      done ||= DONE.test(text);
      events ||= DATA.test(text);
      for (const m of text.matchAll(FINISH)) finish = m[1];
      tail = text.slice(-OVERLAP);
      controller.enqueue(chunk);
    },
    flush(controller) {
      const failure = endFailure(done, events, finish);
      if (failure) controller.error(failure);
      else controller.enqueue(blankLine());
    },
  });
  return new Response(response.body.pipeThrough(watch), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** What a stream's end says went wrong, if anything (`events`: whether it held any). */
function endFailure(done: boolean, events: boolean, finish: string | undefined): GroundedError | undefined {
  const stopped = finishFailure(finish);
  if (stopped) return stopped;
  // not transient (retried) nor final (not asked another way): see failingUnlessEnded
  if (!events) return new GroundedError('stream-broken', 'the endpoint ended its event stream without an event in it.');
  if (!done && finish === undefined)
    return new GroundedError('network', 'the endpoint closed the stream before the answer was finished.');
  return undefined;
}
