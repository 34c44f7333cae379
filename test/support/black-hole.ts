// A collector that accepts every TCP connection and never answers: what a hung collector, or a
// firewall that drops packets after the handshake, looks like to an exporter.
import { createServer, type Socket } from 'node:net';
import { freePort } from './process.js';

export interface BlackHole {
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
}

/** Starts a black hole on loopback; `cleanups` gets what closes it and its connections. */
export async function startBlackHole(cleanups: (() => unknown)[]): Promise<BlackHole> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${port}`, port, connections: () => sockets.length };
}
