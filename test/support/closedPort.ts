import { createServer, type AddressInfo } from 'node:net';

/** A loopback port nothing listens on: connections to it are refused at once. */
export function closedPort(): Promise<number> {
  return new Promise<number>(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
