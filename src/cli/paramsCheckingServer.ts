import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { safeParse, type AnyObjectSchema, type SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type Notification,
  type Request,
  type Result,
  type ServerNotification,
  type ServerRequest,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';

type Handler<T extends AnyObjectSchema> = (
  request: SchemaOutput<T>,
  extra: RequestHandlerExtra<ServerRequest | Request, ServerNotification | Notification>,
) => ServerResult | Result | Promise<ServerResult | Result>;

/** What a request handler's schema (one of the SDK's zod objects) offers to make one that checks only the method. */
interface MethodPicker<T> {
  pick(keys: { method: true }): { loose(): T };
}

/**
 * The SDK's Server, except that a request whose params its method's schema refuses is answered -32602 (invalid
 * params), as JSON-RPC says, with what is wrong in one line. The SDK parses a request with the schema its handler
 * was registered under before the handler runs and answers what the parser throws with -32603 (internal error) and
 * the parser's dump, so a client read a server failure instead of its own mistake. Every handler, the SDK's own
 * (initialize, logging/setLevel) too, is registered here under a schema that checks only the method, and its
 * request is parsed with its own schema before it runs.
 */
export class ParamsCheckingServer extends Server {
  override setRequestHandler<T extends AnyObjectSchema>(schema: T, handler: Handler<T>): void {
    const methodOnly = (schema as unknown as MethodPicker<T>).pick({ method: true }).loose();
    super.setRequestHandler(methodOnly, (request, extra) => {
      const parsed = safeParse(schema, request);
      if (parsed.success) return handler(parsed.data as SchemaOutput<T>, extra);
      const issues = (parsed.error as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
      const wrong = issues.map(i => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
      throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${request.method}: ${wrong}`);
    });
  }
}
