import type { ServerResponse } from 'node:http';

// The bytes the OpenAI chat completions API sends, so the fault server is indistinguishable from a real
// endpoint to the `openai` client: SSE `data: {…}` chunks, a final chunk with `finish_reason`, `data: [DONE]`.

const id = 'chatcmpl-fault';
const created = () => Math.floor(Date.now() / 1000);

export function writeSseHead(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

export function writeChunk(res: ServerResponse, chunk: { model: string; choices: unknown[] }): void {
  res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: created(), ...chunk })}\n\n`);
}

/** The first chunk names the role and carries no text, as the real API's does. */
export function writeFirstChunk(res: ServerResponse, model: string): void {
  writeChunk(res, { model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
}

export function writeLastChunk(res: ServerResponse, model: string, reason = 'stop'): void {
  writeChunk(res, { model, choices: [{ index: 0, delta: {}, finish_reason: reason }] });
}

export function writeDone(res: ServerResponse): void {
  res.end('data: [DONE]\n\n');
}

export function writeChatCompletion(
  res: ServerResponse,
  model: string,
  content: string,
  finishReason: string | null = 'stop',
  refusal?: string,
): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id,
      object: 'chat.completion',
      created: created(),
      model,
      choices: [
        {
          index: 0,
          // a refusal comes in place of the answer, its content null (OpenAI's structured refusal)
          message: { role: 'assistant', content: refusal === undefined ? content : content || null, refusal },
          finish_reason: finishReason,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    }),
  );
}
