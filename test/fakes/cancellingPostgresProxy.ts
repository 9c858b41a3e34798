import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;

/** One connection through the proxy, known to its client by the backend key the proxy gave it. */
interface Connection {
  processID: number;
  secretKey: number;
  client: Socket;
  /** A statement held (never sent to the server) until a CancelRequest for this connection arrives. */
  holding: boolean;
  /** A CancelRequest that came while nothing was held, waiting for the next statement held (`lateCancels`). */
  cancelWaiting?: boolean;
}

/**
 * A PostgreSQL server (PGlite's socket, say) behind a proxy on 127.0.0.1 that stands in for a statement running long:
 * a statement whose SQL `hold` matches is never sent on; it ends, as a real server ends it, with SQLSTATE 57014 when a
 * CancelRequest with its connection's backend key arrives. Every connection gets a backend key of its own, so a
 * cancel names one connection. `cancelled` lists the process ids cancels named, in order.
 */
export class CancellingPostgresProxy {
  hold: (sql: string) => boolean = () => false;
  /**
   * A CancelRequest that comes while its connection holds no statement waits for the next statement held, instead of
   * being ignored: a cancel that reaches the server late, while the client runs its next statement.
   */
  lateCancels = false;
  /** Statements held so far. */
  held = 0;
  readonly cancelled: number[] = [];
  private readonly connections = new Map<number, Connection>();
  private readonly sockets = new Set<Socket>();
  private nextProcessID = 1000;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {
    server.on('connection', socket => this.accept(socket));
  }

  static async start(targetUrl: string): Promise<CancellingPostgresProxy> {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return new CancellingPostgresProxy(server, new URL(targetUrl));
  }

  /** The target's URL with the proxy's host and port. */
  get url(): string {
    const url = new URL(this.target.href);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as AddressInfo).port);
    return url.href;
  }

  /** Resolves once a statement is being held. */
  whenHolding(): Promise<void> {
    if ([...this.connections.values()].some(c => c.holding)) return Promise.resolve();
    return new Promise(resolve => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise(resolve => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  }

  private accept(client: Socket): void {
    this.track(client);
    let upstream: Socket | undefined;
    let connection: Connection | undefined;
    let started = false;
    let pending = Buffer.alloc(0);
    let skipUntilSync = false;
    client.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        if (!started) {
          if (pending.length < 8) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          const packet = pending.subarray(0, length);
          pending = pending.subarray(length);
          const code = packet.readInt32BE(4);
          if (code === SSL_REQUEST) {
            client.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST) {
            this.cancel(packet.readInt32BE(8), packet.readInt32BE(12));
            client.end();
            return;
          }
          started = true;
          connection = {
            processID: this.nextProcessID++,
            secretKey: Math.floor(Math.random() * 0x7fffffff),
            client,
            holding: false,
          };
          this.connections.set(connection.processID, connection);
          upstream = this.track(connect(Number(this.target.port), this.target.hostname));
          upstream.on('close', () => client.destroy());
          client.on('close', () => upstream?.destroy());
          this.relayFromServer(upstream, client, connection);
          upstream.write(packet);
          continue;
        }
        if (pending.length < 5) return;
        const length = 1 + pending.readInt32BE(1);
        if (pending.length < length) return;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const type = String.fromCharCode(message[0] ?? 0);
        if (!skipUntilSync && (type === 'P' || type === 'Q') && this.hold(sqlOf(message, type)) && connection) {
          this.held++;
          connection.holding = true;
          for (const wake of this.waiters.splice(0)) wake();
          skipUntilSync = type === 'P';
          if (connection.cancelWaiting) this.endHeld(connection);
          continue;
        }
        if (skipUntilSync) {
          if (type === 'S') skipUntilSync = false;
          continue;
        }
        upstream?.write(message);
      }
    });
  }

  /** The server's messages to the client, with the backend key replaced by the connection's own. */
  private relayFromServer(upstream: Socket, client: Socket, connection: Connection): void {
    let pending = Buffer.alloc(0);
    upstream.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 5) {
        const length = 1 + pending.readInt32BE(1);
        if (pending.length < length) return;
        const message = Buffer.from(pending.subarray(0, length));
        pending = pending.subarray(length);
        if (message[0] === 'K'.charCodeAt(0)) {
          message.writeInt32BE(connection.processID, 5);
          message.writeInt32BE(connection.secretKey, 9);
        }
        if (client.writable) client.write(message);
      }
    });
  }

  /** What a server does on a CancelRequest: the statement the key names ends with 57014 and its connection goes on. */
  private cancel(processID: number, secretKey: number): void {
    const connection = this.connections.get(processID);
    if (!connection || connection.secretKey !== secretKey) return;
    this.cancelled.push(processID);
    if (!connection.holding) {
      if (this.lateCancels) connection.cancelWaiting = true;
      return;
    }
    this.endHeld(connection);
  }

  /** Ends the statement the connection holds with 57014, as a cancelled statement ends. */
  private endHeld(connection: Connection): void {
    connection.holding = false;
    connection.cancelWaiting = false;
    if (!connection.client.writable) return;
    connection.client.write(
      Buffer.concat([
        message('E', fields({ S: 'ERROR', V: 'ERROR', C: '57014', M: 'canceling statement due to user request' })),
        message('Z', Buffer.from('I')),
      ]),
    );
  }
}

/** The SQL of a Parse (after the statement's name) or a simple Query message. */
function sqlOf(message: Buffer, type: 'P' | 'Q'): string {
  let start = 5;
  if (type === 'P') start = message.indexOf(0, start) + 1;
  return message.subarray(start, message.indexOf(0, start)).toString('utf8');
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const fields = (values: Record<string, string>): Buffer =>
  Buffer.concat([...Object.entries(values).map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
