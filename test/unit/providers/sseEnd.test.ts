import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ask } from '../../../src/core/ask';
import type { AnswerEvent } from '../../../src/core/events';
import { createOpenAiCompatibleModel } from '../../../src/providers/openAiCompatible';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { readBody } from '../../fakes/loopbackHttp';
import { collect } from '../../support/collect';

// How the end of an event stream is read, with the real client against a loopback server that sends the exact bytes.

const retriever = new FakeRetriever(() => [passage(1, 'flux level is 88'), passage(2)]);

const chunk = (delta: object, finishReason: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-raw',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'raw-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

describe('the end of an OpenAI-compatible event stream', () => {
  let server: Server;
  let baseURL: string;
  /** The bytes every streamed chat request is answered with. */
  let stream = '';
  let requests = 0;
  /** The status every streamed chat request is answered with. */
  let status = 200;
  /** The JSON a request that asks for no stream is answered with; undefined: `stream`, as a streamed one. */
  let whole: string | undefined;
  /** Whether each chat request asked for a stream, in order. */
  let streamed: boolean[] = [];
  beforeEach(async () => {
    requests = 0;
    status = 200;
    whole = undefined;
    streamed = [];
    server = createServer((req, res) => {
      requests++;
      void readBody(req).then(body => {
        const asksStream = (JSON.parse(body) as { stream?: boolean }).stream === true;
        streamed.push(asksStream);
        if (!asksStream && whole !== undefined) res.writeHead(200, { 'content-type': 'application/json' }).end(whole);
        else res.writeHead(status, { 'content-type': 'text/event-stream' }).end(stream);
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterEach(() => {
    server.closeAllConnections();
    return new Promise<void>(resolve => server.close(() => resolve()));
  });

  const answer = async (): Promise<AnswerEvent | undefined> => {
    const model = createOpenAiCompatibleModel(
      { preset: 'custom', label: 'Raw server', baseURL, model: 'raw-model', keyRequired: false },
      'raw-model',
      undefined,
    );
    const events = await collect(
      ask({ question: 'flux level?' }, { retriever, model, clock: new FakeClock(), options: { grading: false } }),
    );
    return events[events.length - 1];
  };

  it('takes [DONE] after lines ended by a bare \\r (no finish reason) as a whole answer', async () => {
    stream = `data: ${chunk({ role: 'assistant', content: 'It is 88 [1].' })}\r\rdata: [DONE]\r\r`;
    const end = await answer();
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.equal(end.answer, 'It is 88 [1].');
    assert.equal(requests, 1);
  });

  it('keeps the last event of a stream that closes without the blank line that ends it', async () => {
    stream =
      `data: ${chunk({ role: 'assistant', content: 'It is ' })}\n\n` + `data: ${chunk({ content: '88 [1].' }, 'stop')}`;
    const end = await answer();
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.equal(end.answer, 'It is 88 [1].');
  });

  for (const [what, bytes] of [
    ['an empty body', ''],
    ['only comments', ': keep-alive\n\n: keep-alive\n\n'],
  ] as const)
    it(`asks for the whole answer at once, without streaming again, when the stream holds no event: ${what}`, async () => {
      stream = bytes;
      whole = JSON.stringify({
        id: 'chatcmpl-raw',
        object: 'chat.completion',
        created: 1,
        model: 'raw-model',
        choices: [{ index: 0, message: { role: 'assistant', content: 'It is 88 [1].' }, finish_reason: 'stop' }],
      });
      const end = await answer();
      assert.ok(end?.type === 'done', JSON.stringify(end));
      assert.equal(end.answer, 'It is 88 [1].');
      assert.deepEqual(streamed, [true, false], 'one stream, then the whole answer: no stream asked for again');
      assert.ok(end.usage.fallback);
      assert.equal(end.usage.retries, 0);
    });

  it('still retries a stream that held an event before it closed early, before the first token', async () => {
    stream = `data: ${chunk({ role: 'assistant', content: '' })}\n\n`;
    await answer();
    assert.deepEqual(streamed.slice(0, 2), [true, true], 'streamed again: a stream cut short may be whole next time');
  });

  it('reads an error status sent as an event stream as that error, by the server’s reason, in one request', async () => {
    status = 400;
    stream = JSON.stringify({
      error: {
        message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      },
    });
    const end = await answer();
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.equal(end.error.kind, 'model-refused', end.error.message);
    assert.match(end.error.message, /longer than the model's context window/);
    assert.equal(requests, 1);
  });
});
