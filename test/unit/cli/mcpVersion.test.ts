import assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../../../src/cli/mcpServer';
import { negotiatedVersion } from '../../../src/cli/mcpVersion';
import { FakeRetriever } from '../../fakes/fakeRetriever';
import { until } from '../../support/until';

/** A server whose transport negotiatedVersion watches, and a raw client side that sends what it is given. */
async function serve() {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const version = negotiatedVersion(serverSide);
  const server = createMcpServer({ retriever: new FakeRetriever(() => []), version: 'test', log: () => undefined });
  await server.connect(serverSide);
  const replies: JSONRPCMessage[] = [];
  clientSide.onmessage = m => void replies.push(m);
  await clientSide.start();
  const request = async (id: number, method: string, params: Record<string, unknown> = {}) => {
    await clientSide.send({ jsonrpc: '2.0', id, method, params });
    assert.ok(await until(() => replies.some(r => 'id' in r && r.id === id)), JSON.stringify(replies));
  };
  const initialize = (id: number, protocolVersion: string) =>
    request(id, 'initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'test', version: '1' } });
  return { server, version, request, initialize };
}

describe('the protocol version the MCP server agreed on (negotiatedVersion)', () => {
  it('is the version its answer to initialize named, and none before', async () => {
    const { server, version, request, initialize } = await serve();
    await request(1, 'ping');
    assert.equal(version(), undefined);
    await initialize(2, '2025-03-26');
    assert.equal(version(), '2025-03-26');
    await request(3, 'tools/list');
    assert.equal(version(), '2025-03-26', 'other answers do not change it');
    await server.close();
  });

  it('is the version the server offers instead of one it does not know', async () => {
    const { server, version, initialize } = await serve();
    await initialize(1, '1999-01-01');
    assert.equal(version(), LATEST_PROTOCOL_VERSION);
    await server.close();
  });
});
