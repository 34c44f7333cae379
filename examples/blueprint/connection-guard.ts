// The connection caps of a listener, and the refusals Node makes before a request reaches the
// service, each reported as a connection.refused security event (folded per source, counted in
// plumbline_security_events_total): a hostile-client trial's 13,527 connections dropped over
// maxConnections, and its 431/400/408 answers to oversized, malformed or slow request heads, left
// no trace (regression: blueprint-connection-refusals-left-no-trace.test.ts).
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionRefusal } from './telemetry.js';

export interface ListenerGuard {
  readonly listener: 'public' | 'admin';
  /** Open connections at once; more are closed as they arrive (Node's `maxConnections`). */
  readonly maxConnections: number;
  /** Open connections from one client address; more from it are closed as they arrive. */
  readonly maxConnectionsPerAddress: number;
  readonly onRefused: (refusal: {
    readonly source: string;
    readonly outcome: ConnectionRefusal;
    readonly listener: 'public' | 'admin';
    readonly status?: number;
    readonly error?: string;
  }) => void;
}

export function guardListener(server: Server, guard: ListenerGuard): void {
  const { listener, onRefused } = guard;
  server.maxConnections = guard.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) =>
    onRefused({ source: data?.remoteAddress ?? 'unknown', outcome: 'max_connections', listener }),
  );
  capConnectionsPerAddress(server, guard.maxConnectionsPerAddress, (source) =>
    onRefused({ source, outcome: 'per_address', listener }),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = statusFor(error.code);
    // A client that went away, or one that was already sent something: nothing to say.
    if (status === undefined || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    onRefused({
      source: socket.remoteAddress ?? 'unknown',
      outcome: status === 431 ? 'header_too_large' : status === 408 ? 'request_timeout' : 'malformed_request',
      listener,
      status,
      ...(error.code === undefined ? {} : { error: error.code }),
    });
    // What Node does without a clientError listener: the answer, then the connection closed at
    // once (end() would wait for a client that never finishes, a slowloris one).
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    socket.destroy();
  });
}

/** Node's own answer to a refused request head; undefined for a client that hung up. */
function statusFor(code: string | undefined): number | undefined {
  if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * Closes a new connection at once when its address already holds `cap` open ones, so one client
 * cannot take every slot of maxConnections (slowloris from one host).
 */
function capConnectionsPerAddress(server: Server, cap: number, refused: (address: string) => void): void {
  // A Map, not an object: the key is the client's address, never a prototype property.
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      socket.destroy();
      refused(address);
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
