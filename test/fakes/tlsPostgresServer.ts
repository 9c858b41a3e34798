import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** A self-signed certificate for localhost and 127.0.0.1 (P-256, valid until 2126), trusted by nobody. */
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnltt9x9h1PdKeR2F
IAW7MQ639NT1DLhJBU3UOoCX616hRANCAATi+BFQfCy6WMUu4rkQ0ZxvAITYYsW1
Vf2amS6hvUDC9nQonwpLSrPO45JxS6YI0pbcvwOUo5E7mpobx3X62NL8
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUSMyE5T6O/sPpatoxtSrg5lEi+uQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNjA3MzMyMVoYDzIxMjYxMTEy
MDczMzIxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATi+BFQfCy6WMUu4rkQ0ZxvAITYYsW1Vf2amS6hvUDC9nQonwpLSrPO
45JxS6YI0pbcvwOUo5E7mpobx3X62NL8o28wbTAdBgNVHQ4EFgQUVmS8TP77VaUI
txv9JzVD0h7dpgQwHwYDVR0jBBgwFoAUVmS8TP77VaUItxv9JzVD0h7dpgQwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgY9GKy+idz4Sx6kUr3300cnh8xZV7JgignbzMwvNjwMgCIBVR
ByWBod2M9lnCVyv4SAVa/OdWVLw0Wa9khbtaS6mC
-----END CERTIFICATE-----
`;

/**
 * The first step of a PostgreSQL connection over TLS, on 127.0.0.1: the client's SSLRequest is answered with `S` and
 * the connection becomes TLS with a self-signed certificate (`tls: 'self-signed'`), or with `N`, as a server without
 * TLS answers (`tls: 'none'`). Nothing after the handshake is served: a client that trusts the certificate waits.
 */
export class TlsPostgresServer {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {
    server.on('connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
  }

  static async start(tls: 'self-signed' | 'none'): Promise<TlsPostgresServer> {
    const server = createServer(socket =>
      socket.once('data', () => {
        if (tls === 'none') return void socket.write('N');
        socket.write('S');
        new TLSSocket(socket, { isServer: true, key: KEY, cert: CERT }).on('error', () => undefined);
      }),
    );
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return new TlsPostgresServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise(resolve => this.server.close(() => resolve()));
  }
}
