import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { safeParse, type AnyObjectSchema, type SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
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
 * the parser's dump, so a client read a server failure instead of its own mistake; the Server's own wrapper of a
 * tools/call handler answers -32602 but with that dump (a multi-line JSON array of zod issues). Every handler, the
 * SDK's own (initialize, logging/setLevel) too, is registered with the Protocol's method (beneath the Server's
 * tools/call wrapper) under a schema that checks only the method, and its request is parsed with its own schema
 * before it runs.
 */
export class ParamsCheckingServer extends Server {
  override setRequestHandler<T extends AnyObjectSchema>(schema: T, handler: Handler<T>): void {
    const methodOnly = (schema as unknown as MethodPicker<T>).pick({ method: true }).loose();
    Protocol.prototype.setRequestHandler.call(this, methodOnly, (request, extra) => {
      const parsed = safeParse(schema, request);
      if (parsed.success) return handler(parsed.data as SchemaOutput<T>, extra);
      const issues = (parsed.error as { issues?: Issue[] }).issues ?? [];
      const wrong = issues.slice(0, MAX_ISSUES).map(said).join('; ');
      const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
      throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${request.method}: ${wrong}${more}.`);
    });
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/** At most this many of the schema's complaints are said: the first ones name what to fix. */
const MAX_ISSUES = 3;

/** One complaint as "params.name is missing (expected string)" or "params.arguments: expected object, …". */
function said(issue: Issue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the request';
  const message = issue.message.replace(/^Invalid input: /, '').replace(/\brecord\b/g, 'object');
  const missing = /^expected (.+), received undefined$/.exec(message);
  return missing ? `${where} is missing (expected ${missing[1]})` : `${where}: ${message}`;
}
