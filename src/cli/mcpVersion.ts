import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCResultResponse } from '@modelcontextprotocol/sdk/types.js';

/**
 * The MCP protocol version the server agreed on with its client, as its answer to `initialize` said it (the SDK's
 * Server does not tell it), read from the messages `transport` sends; undefined until that answer was sent. Call it
 * before the transport is given to the server.
 */
export function negotiatedVersion(transport: Transport): () => string | undefined {
  let version: string | undefined;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    // only the answer to initialize has a protocolVersion beside the serverInfo
    if (isJSONRPCResultResponse(message)) {
      const { protocolVersion, serverInfo } = message.result;
      if (typeof protocolVersion === 'string' && typeof serverInfo === 'object') version = protocolVersion;
    }
    return send(message, options);
  };
  return () => version;
}
