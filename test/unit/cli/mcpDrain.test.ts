import assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { trackRequests } from '../../../src/cli/mcpDrain';
import { createMcpServer } from '../../../src/cli/mcpServer';
import type { Retriever } from '../../../src/core/ports';
import { passage } from '../../fakes/fakeRetriever';
import { until } from '../../support/until';

/** A retriever whose searches wait until `release` (or their abort), with what it saw. */
function held() {
  const state = { started: 0, aborted: 0 };
  let release: () => void = () => undefined;
  const released = new Promise<void>(resolve => (release = resolve));
  const retriever: Retriever = {
    search: (_q, { signal }) =>
      new Promise((resolve, reject) => {
        state.started++;
        void released.then(() => resolve([passage(1, 'the widget frobnicates')]));
        signal?.addEventListener('abort', () => {
          state.aborted++;
          reject(new DOMException('Aborted', 'AbortError'));
        });
      }),
  };
  return { retriever, state, release };
}

/** A server over `retriever` whose transport trackRequests watches, and a raw client side collecting replies. */
async function serve(retriever: Retriever) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const drain = trackRequests(serverSide);
  const server = createMcpServer({ retriever, version: 'test', log: () => undefined });
  await server.connect(serverSide);
  const replies: JSONRPCMessage[] = [];
  clientSide.onmessage = m => void replies.push(m);
  await clientSide.start();
  const call = (id: number) =>
    clientSide.send({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'search', arguments: { query: 'widget' } },
    });
  const answersTo = (id: number) => replies.filter(r => 'id' in r && r.id === id);
  return { server, clientSide, drain, replies, call, answersTo };
}

describe('the MCP server once the client closed its input (trackRequests)', () => {
  it('answers a call still running, then lets the server stop', async () => {
    const { retriever, state, release } = held();
    const { server, drain, call, answersTo } = await serve(retriever);
    await call(1);
    assert.ok(await until(() => state.started === 1));
    let drained = false;
    const done = drain(3_600_000).then(() => (drained = true));
    release();
    await done;
    assert.ok(drained);
    const [answer] = answersTo(1);
    assert.ok(answer && 'result' in answer, JSON.stringify(answersTo(1)));
    assert.equal(state.aborted, 0);
    await server.close();
  });

  it('answers a call still running after the grace period with an error saying why, and only that', async () => {
    const { retriever, state } = held();
    const { server, drain, call, answersTo } = await serve(retriever);
    await call(1);
    assert.ok(await until(() => state.started === 1));
    await drain(0);
    await server.close();
    assert.ok(await until(() => state.aborted === 1), 'the search was stopped');
    const answers = answersTo(1);
    assert.equal(answers.length, 1, JSON.stringify(answers));
    const [answer] = answers;
    assert.ok(answer && 'error' in answer, JSON.stringify(answer));
    assert.equal(answer.error.code, ErrorCode.ConnectionClosed);
    assert.match(answer.error.message, /stopped before the call finished: the client closed its input/);
  });

  it('does not wait for a call the client cancelled, nor answer it', async () => {
    const { retriever, state } = held();
    const { server, clientSide, drain, call, answersTo } = await serve(retriever);
    await call(1);
    assert.ok(await until(() => state.started === 1));
    await clientSide.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 1, reason: 'not needed' },
    });
    assert.ok(await until(() => state.aborted === 1));
    await drain(3_600_000);
    await server.close();
    assert.deepEqual(answersTo(1), []);
  });

  it('stops at once when nothing is running', async () => {
    const { retriever } = held();
    const { server, drain } = await serve(retriever);
    await drain(3_600_000);
    await server.close();
  });
});
