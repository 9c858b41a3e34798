import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ask } from '../../../src/core/ask';
import type { AnswerEvent } from '../../../src/core/events';
import { createOpenAiCompatibleModel, plainDelta } from '../../../src/providers/openAiCompatible';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { readBody } from '../../fakes/loopbackHttp';
import { collect } from '../../support/collect';

// A streamed delta whose `content` is a list of parts, as Databricks streams its reasoning models' replies.

const retriever = new FakeRetriever(() => [passage(1, 'flux level is 88'), passage(2)]);

const chunk = (delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-parts',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'parts-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;

const reasoning = (text: string) => ({ type: 'reasoning', summary: [{ type: 'summary_text', text, signature: 's' }] });

describe('a streamed reply whose content is a list of parts', () => {
  let server: Server;
  let baseURL: string;
  const requests: { stream: boolean }[] = [];
  beforeEach(async () => {
    requests.length = 0;
    server = createServer((req, res) => {
      void readBody(req).then(body => {
        const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
        requests.push({ stream });
        if (!stream) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: 'chatcmpl-parts',
              object: 'chat.completion',
              created: 1,
              model: 'parts-model',
              choices: [
                { index: 0, message: { role: 'assistant', content: 'Whole reply [1].' }, finish_reason: 'stop' },
              ],
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(
          chunk({ role: 'assistant', content: [reasoning('The passage says ')] }) +
            chunk({ content: [reasoning('88.')] }) +
            chunk({ content: [{ type: 'text', text: 'It is ' }] }) +
            chunk({ content: [{ type: 'text', text: '88 [1].' }] }) +
            chunk({}, 'stop') +
            'data: [DONE]\n\n',
        );
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterEach(() => {
    server.closeAllConnections();
    return new Promise<void>(resolve => server.close(() => resolve()));
  });

  it('streams its text parts as the answer, says the model is reasoning, and asks once', async () => {
    const model = createOpenAiCompatibleModel(
      { preset: 'databricks', label: 'Parts', baseURL, model: 'parts-model', keyRequired: false },
      'parts-model',
      undefined,
    );
    const events: AnswerEvent[] = await collect(
      ask({ question: 'flux level?' }, { retriever, model, clock: new FakeClock(), options: { grading: false } }),
    );
    const end = events[events.length - 1];
    assert.ok(end?.type === 'done', JSON.stringify(end));
    assert.equal(end.answer, 'It is 88 [1].');
    assert.deepEqual(
      events.flatMap(e => (e.type === 'token' ? [e.text] : [])),
      ['It is ', '88 [1].'],
    );
    assert.ok(events.some(e => e.type === 'step' && /reasoning/.test(e.detail)));
    assert.deepEqual(requests, [{ stream: true }], 'no non-streaming fallback');
  });

  it('reads `reasoning` (newer Ollama and vLLM) as `reasoning_content`, which it never replaces', () => {
    assert.deepEqual(plainDelta({ content: '', reasoning: 'r' }), {
      content: '',
      reasoning: 'r',
      reasoning_content: 'r',
    });
    assert.deepEqual(plainDelta({ reasoning: 'r', reasoning_content: 'rc' }), {
      reasoning: 'r',
      reasoning_content: 'rc',
    });
    assert.deepEqual(plainDelta({ content: [{ type: 'text', text: 'a' }], reasoning: 'r' }), {
      content: 'a',
      reasoning: 'r',
      reasoning_content: 'r',
    });
  });

  it('leaves a string content, and a delta without content, as they are', () => {
    const delta = { role: 'assistant', content: 'plain', reasoning_content: 'r' };
    assert.equal(plainDelta(delta), delta);
    assert.deepEqual(plainDelta({ content: [{ type: 'text', text: 'a' }, null, { type: 'image_url' }] }), {
      content: 'a',
    });
  });
});
