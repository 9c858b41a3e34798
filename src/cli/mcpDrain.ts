import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * Keeps count of the requests `transport` received and has not answered yet, and returns `drain`: what the server
 * does once the client closed its input (the MCP stdio transport's shutdown: the client closes the server's stdin,
 * then waits for it to exit). `drain` waits until every request still running is answered, or `graceMs` passed;
 * a request still running then is answered with a -32000 error saying the server stopped before it finished, and
 * its own answer, should it come after, is not sent (one answer an id). A request the client cancelled
 * (notifications/cancelled) is not waited for: it gets no answer, as the protocol says. Call it before the transport
 * is given to the server (which chains the handler set here).
 */
export function trackRequests(transport: Transport): (graceMs: number) => Promise<void> {
  const running = new Set<RequestId>();
  const answered = new Set<RequestId>();
  let allAnswered: (() => void) | undefined;
  const settle = () => {
    if (running.size === 0) allAnswered?.();
  };

  transport.onmessage = message => {
    if (isJSONRPCRequest(message)) running.add(message.id);
    else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === 'string' || typeof id === 'number') running.delete(id);
      settle();
    }
  };
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id;
      if (id !== undefined && answered.has(id)) return;
      if (id !== undefined) running.delete(id);
      try {
        await send(message, options);
      } finally {
        settle();
      }
      return;
    }
    await send(message, options);
  };

  return async graceMs => {
    if (running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>(resolve => {
        allAnswered = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
    }
    const seconds = Math.round(graceMs / 1000);
    for (const id of [...running]) {
      running.delete(id);
      answered.add(id);
      await send({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.ConnectionClosed,
          message: `The server stopped before the call finished: the client closed its input, and the call was still running ${seconds} s later.`,
        },
      }).catch(() => undefined);
    }
  };
}
