import { finishFailure, GroundedError } from '../../core/errors';

/** An OpenAI-compatible stream's `[DONE]` line, after any of the three line ends SSE allows (`\n`, `\r\n`, `\r`). */
const DONE = /(?:^|[\r\n])data:[ \t]*\[DONE\]/;
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
 * partial answer and offers a retry; before the first token a refusal is final.
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
  let finish: string | undefined;
  const watch = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const text = tail + decoder.decode(chunk, { stream: true });
      done ||= DONE.test(text);
      for (const m of text.matchAll(FINISH)) finish = m[1];
      tail = text.slice(-OVERLAP);
      controller.enqueue(chunk);
    },
    flush(controller) {
      const failure = endFailure(done, finish);
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

/** What a stream's end says went wrong, if anything. */
function endFailure(done: boolean, finish: string | undefined): GroundedError | undefined {
  const stopped = finishFailure(finish);
  if (stopped) return stopped;
  if (!done && finish === undefined)
    return new GroundedError('network', 'the endpoint closed the stream before the answer was finished.');
  return undefined;
}
