// What the in-process connection tests read back: the connection.refused lines of the blueprint's
// security log, their count on the admin listener's /metrics, and a listener URL as net.connect
// options; and a client that is refused while it is still sending.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { InProcessBlueprint } from './in-process-blueprint.js';

/** A listener URL as the host and port of net.connect and http.request. */
export function hostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

/** The connection.refused lines of the security log (security.ndjson in the blueprint's directory). */
export function connectionRefusals(blueprint: InProcessBlueprint): Record<string, unknown>[] {
  return readFileSync(join(blueprint.dir, 'security.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === 'connection.refused');
}

/** The connection.refused count for `outcome` on the admin listener's /metrics. */
export async function connectionRefusalsCounted(
  blueprint: InProcessBlueprint,
  outcome: string,
): Promise<number> {
  const body = await (await fetch(`${blueprint.service.adminUrl}/metrics`)).text();
  const line = body
    .split('\n')
    .find((l) =>
      l.startsWith(`plumbline_security_events_total{event="connection.refused",outcome="${outcome}"}`),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** Waits (up to 5 s) until the security log holds a connection.refused line for each outcome. */
export async function connectionRefusalsLogged(
  blueprint: InProcessBlueprint,
  ...outcomes: string[]
): Promise<void> {
  await connectionRefusalLogged(blueprint, (lines) => {
    const seen = new Set(lines.map((line) => line.outcome));
    return outcomes.every((outcome) => seen.has(outcome));
  });
}

/** Waits (up to 5 s) until the connection.refused lines of the security log satisfy `enough`. */
export async function connectionRefusalLogged(
  blueprint: InProcessBlueprint,
  enough: (lines: Record<string, unknown>[]) => boolean,
): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    if (enough(connectionRefusals(blueprint))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Bytes per write of refusedWhileSending. */
const CHUNK = 64 * 1024;

export interface Exchange {
  /** What the client read: the status line first. */
  readonly answer: string;
  /** The socket error the client saw (EPIPE, ECONNRESET), if any. */
  readonly error: string | undefined;
}

/**
 * Sends `requestHead` and `before` body bytes, waits for the answer and the server's FIN, then
 * sends `after` more, ends, and reads to the close: a client still sending its body when the
 * refusal comes. `frame` wraps each chunk (chunked encoding).
 */
export async function refusedWhileSending(
  blueprint: InProcessBlueprint,
  requestHead: string,
  options: {
    readonly after: number;
    readonly before?: number;
    readonly frame?: (chunk: Buffer) => Buffer;
    readonly localAddress?: string;
  },
): Promise<Exchange> {
  const { frame = (chunk: Buffer) => chunk, localAddress = '127.0.0.1' } = options;
  const socket = connect({ ...hostPort(blueprint.service.url), localAddress, allowHalfOpen: true });
  let answer = '';
  let error: string | undefined;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  // Never rejected: an error is what the test records, not a failure of the client.
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const answered = new Promise((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  await once(socket, 'connect');
  socket.write(requestHead);
  const chunk = frame(Buffer.alloc(CHUNK, 'a'));
  const send = async (bytes: number): Promise<void> => {
    for (let sent = 0; sent < bytes && !socket.destroyed; sent += CHUNK)
      if (!socket.write(chunk))
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
  };
  await send(options.before ?? 0);
  await answered;
  await send(options.after);
  if (!socket.destroyed) socket.end();
  await closed;
  return { answer, error };
}

/** POST /events as acme on a connection of its own (no agent, so no keep-alive): the status, or the error. */
export function postOnNewConnection(blueprint: InProcessBlueprint, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        ...hostPort(blueprint.service.url),
        path: '/events',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme', authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end('{"type":"probe"}');
  });
}
