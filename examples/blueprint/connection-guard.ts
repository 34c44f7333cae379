// A listener's connection caps and how its connections end: Node's refusals of bad request heads,
// the longest-idle connection closed for a newcomer at the cap, and a lingering close after a
// `Connection: close` answer. Each refusal, eviction or cut is a connection.refused security event
// (folded per source, counted in plumbline_security_events_total). Regressions: test/regression/
// blueprint-connection-refusals-left-no-trace, blueprint-idle-connection-flood-locks-out-new-clients,
// blueprint-early-refusal-reaches-client-as-reset, blueprint-bad-head-refusal-reaches-client-as-reset,
// blueprint-slow-head-aged-from-when-first-noticed and blueprint-request-pipelined-behind-close-answer-stored.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import type { ConnectionRefusal } from './telemetry.js';

export interface ListenerGuard {
  readonly listener: 'public' | 'admin';
  /**
   * Open connections at once. A connection arriving at the cap takes the place of the one idle
   * longest (no request in flight), or is closed when every connection has one.
   */
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

/**
 * A connection answered with `Connection: close` drains what its client still sends for at most
 * this long and this many bytes: time for a client to finish a body of a few MiB and read its
 * answer, little for a client pushing bytes at a refused connection (Apache lingers 2 s per read;
 * nginx's lingering_time is 30 s, unbounded in bytes).
 */
export const LINGER_MS = 2_000;
const LINGER_MAX_BYTES = 4 * 1024 * 1024;
/**
 * What all lingering connections of a listener drain together: at most this many bytes a second,
 * with DRAIN_BURST_BYTES in reserve. A connection that would take more waits (paused) for its
 * share, within LINGER_MS: a refused upload now and then drains at once, and a flood of them
 * costs at most this much reading. Without it, 4 clients pushing bodies at their 401s were drained
 * at 700 MiB/s, MiBs per turn of the event loop, and another tenant's p50 went from 14 to 42 ms;
 * with it, 13 ms as without the flood.
 */
const DRAIN_BYTES_PER_SECOND = 16 * 1024 * 1024;
const DRAIN_BURST_BYTES = 1024 * 1024;
const MAX_DRAIN_DEBT_BYTES = (DRAIN_BYTES_PER_SECOND * LINGER_MS) / 1000;
/**
 * At the cap with no idle connection, one whose request head (or TLS handshake) has been arriving
 * for at least this long gives its place to a newcomer: a client's head normally arrives in one
 * packet, so this is a slowloris client, which headers_timeout alone would let hold the slot for
 * 10 s and then reconnect (4 addresses at the per-address cap filled the default listener).
 */
export const SLOW_HEAD_MS = 1_000;
/**
 * How often idle connections are looked at for bytes of a request head (or handshake) arriving:
 * a head's start is noted within this, so a slow one gives its place SLOW_HEAD_MS to SLOW_HEAD_MS +
 * HEAD_WATCH_MS after it began. Noting it only in the search for a place made for a newcomer
 * counted a head's age from there: heads arriving for 2 s were all "new" to the first newcomers at
 * the cap, which were closed for a full SLOW_HEAD_MS more. Node's parser consumes the socket's
 * handle directly; a 'data' listener to see the first bytes would take it off that path.
 */
const HEAD_WATCH_MS = 250;

/** What the service asks the guard of a listener about a request. */
export interface GuardedListener {
  /**
   * Whether `req` was pipelined behind a request whose answer closes the connection (`Connection:
   * close`, sent or to be sent): RFC 9112 9.6, such a request must not be processed. Node parses
   * and hands over every request that arrived, also those behind an answer that closes, whose
   * answers it then never sends. Ask when the request arrives, and again before anything lasting
   * is done for it: an earlier request still in flight then may have been answered with close
   * since.
   */
  behindClose(req: IncomingMessage): boolean;
}

export function guardListener(server: Server, guard: ListenerGuard): GuardedListener {
  const { listener, onRefused } = guard;
  const tls = server instanceof TlsServer;
  const connections = new ConnectionTable(guard, tls);
  // Node's maxConnections drops a connection before any JS sees it ('drop'), so it can only turn
  // the newcomer away; the cap is kept by the table instead, and Node's one above it is a backstop
  // that does not fire while the table holds the count at the cap.
  server.maxConnections = guard.maxConnections + 1;
  server.on('drop', (data?: { remoteAddress?: string }) =>
    onRefused({ source: data?.remoteAddress ?? 'unknown', outcome: 'max_connections', listener }),
  );
  server.on('connection', (socket: Socket) => connections.admit(socket));
  // HTTPS: HTTP reads the TLS socket once its handshake is done.
  if (tls) server.on('secureConnection', (socket: TLSSocket) => connections.secured(socket));
  // Every request Node parses, before it is handed to a handler (or answered by Node itself: an
  // `Expect` it cannot meet, a missing Host), whichever listeners the server has: a 'checkContinue'
  // listener added here would take Expect: 100-continue requests from a server without one.
  const started = (message: unknown): void => {
    const { request, response, server: from } = message as RequestStart;
    if (from === server) connections.requestStarted(request, response);
  };
  subscribe('http.server.request.start', started);
  server.once('close', () => unsubscribe('http.server.request.start', started));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = statusFor(error.code);
    // A client that went away, or one that was already sent something: nothing to say. On HTTPS,
    // a socket still in its handshake (https reports a failed or timed-out handshake here too):
    // no HTTP answer can reach it, and the service's tlsClientError listener reports it.
    if (
      status === undefined ||
      !socket.writable ||
      socket.bytesWritten > 0 ||
      (tls && !connections.lingers(socket))
    ) {
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
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    // A head too large or malformed: its client may still be sending, so the connection closes
    // the way an early refusal does (the lingering close, bounded), or the client meets a reset
    // instead of the answer. A head too slow (408) closes at once, as Node does: its client is
    // the slow one, and lingering would give a slowloris client LINGER_MS more. So does a socket
    // the table did not set the lingering close up on (Node's own destroySoon on a TLS socket
    // still in its handshake would wait for the handshake forever).
    if (status !== 408 && connections.lingers(socket)) socket.destroySoon();
    else socket.destroy();
  });
  return { behindClose: (req) => connections.behindClose(req) };
}

/** What Node publishes on http.server.request.start. */
interface RequestStart {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly server: Server;
}

/** Node's own answer to a refused request head; undefined for a client that hung up. */
function statusFor(code: string | undefined): number | undefined {
  if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

interface Connection {
  /** The TCP connection (under the TLS socket on HTTPS): what the caps count. */
  readonly tcp: Socket;
  /** The socket HTTP reads: the TLS socket once its handshake is done, else the TCP one. */
  http: Socket;
  readonly address: string;
  /** Requests whose answer has not finished. */
  inFlight: number;
  /** tcp.bytesRead when it last became idle: a byte since is a request (or a handshake) arriving. */
  bytesWhenIdle: number;
  /** Set while it drains what its client still sends after a Connection: close answer: ends that. */
  endLinger: (() => void) | undefined;
  /** When bytes of a request head were first seen arriving on it (see ConnectionTable.heading). */
  headingSince: number;
  /** The requests whose answer has not finished, in the order they arrived, with their answers. */
  readonly answering: Map<IncomingMessage, ServerResponse>;
}

/** The socket the caps count for the one HTTP reads (the TCP one under a TLS socket). */
function tcpOf(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}

/**
 * Whether `res` closes its connection once sent: its client did not ask to keep it (close
 * option, HTTP/1.0), or its head, once written, says `Connection: close` (Node's `_last`, set as
 * the head is written, by the handler's header or by Node).
 */
function closesConnection(res: ServerResponse): boolean {
  return !res.shouldKeepAlive || (res as ServerResponse & { _last?: boolean })._last === true;
}

/**
 * The open connections of a listener, the count per client address, and the idle ones, longest
 * idle first. At the cap a new connection closes the longest-idle one, as nginx reuses its
 * "reusable" connections (keep-alive ones between requests, and ones that have not sent a byte):
 * an idle connection costs nothing while there is room and gives its slot up when there is none,
 * so idle ones cannot lock new clients out, and none is cut early while there is room (a
 * first-byte timeout would also close a pool's or a browser's pre-opened connections at no
 * pressure; headers_timeout still bounds them). A connection with a request in flight, or with
 * bytes of one arriving, is never closed for a newcomer. Everything here is bounded by the caps.
 */
class ConnectionTable {
  private readonly open = new Map<Socket, Connection>();
  /** No request in flight, in the order they became idle (set again when idle again: moves last). */
  private readonly idle = new Map<Socket, Connection>();
  /** A Map, not an object: the key is the client's address, never a prototype property. */
  private readonly perAddress = new Map<string, number>();
  /**
   * Found with bytes of a request arriving (a head, or a TLS handshake), by the watch over idle
   * connections or when an idle one was sought, in the order found, until its request starts: the
   * slow ones give way at the cap.
   */
  private readonly heading = new Map<Socket, Connection>();
  /** Answered and draining, in the order they started. */
  private readonly lingering = new Map<Socket, Connection>();
  private readonly drainBudget = new DrainBudget();
  /** The sockets whose destroySoon is the lingering close (see lingerOnClose). */
  private readonly lingerReady = new WeakSet<Socket>();
  /** Runs while any connection is open: notes when heads start arriving (HEAD_WATCH_MS). */
  private headWatch: NodeJS.Timeout | undefined;

  constructor(
    private readonly guard: ListenerGuard,
    /** HTTP reads a TLS socket over each TCP one (known once its handshake is done). */
    private readonly tls: boolean,
  ) {}

  admit(tcp: Socket): void {
    const address = tcp.remoteAddress;
    if (address === undefined) return;
    // Per address the newcomer is refused, not an idle connection closed: one client cannot take
    // every slot (slowloris from one host). Only its own connection that has its answer and is
    // draining gives way: a client sending refused uploads faster than they drain would otherwise
    // be refused while its earlier connections drain bytes nobody waits for.
    if (this.openFrom(address) >= this.guard.maxConnectionsPerAddress && !this.endOldestLinger(address)) {
      tcp.destroy();
      this.report(address, 'per_address');
      return;
    }
    if (this.open.size >= this.guard.maxConnections && !this.evictLongestIdle() && !this.evictSlowHead()) {
      tcp.destroy();
      this.report(address, 'max_connections');
      return;
    }
    const connection: Connection = {
      tcp,
      http: tcp,
      address,
      inFlight: 0,
      bytesWhenIdle: tcp.bytesRead,
      endLinger: undefined,
      headingSince: 0,
      answering: new Map(),
    };
    this.open.set(tcp, connection);
    this.idle.set(tcp, connection);
    this.perAddress.set(address, this.openFrom(address) + 1);
    tcp.once('close', () => this.forget(connection));
    if (!this.tls) this.lingerOnClose(connection);
    this.watchHeads();
  }

  /** Starts the watch for heads beginning, unless it runs; it stops once no connection is open. */
  private watchHeads(): void {
    if (this.headWatch !== undefined) return;
    this.headWatch = setInterval(() => {
      if (this.open.size === 0) {
        clearInterval(this.headWatch);
        this.headWatch = undefined;
        return;
      }
      const now = performance.now();
      for (const connection of this.idle.values()) {
        // A draining connection's bytes are the refused body's, not a head.
        if (connection.endLinger !== undefined || connection.tcp.destroyed) continue;
        if (connection.tcp.bytesRead !== connection.bytesWhenIdle) this.headingFrom(connection, now);
      }
    }, HEAD_WATCH_MS);
    this.headWatch.unref();
  }

  /** Bytes arrived since it was last idle: a request (or a handshake) is on its way since `now`. */
  private headingFrom(connection: Connection, now: number): void {
    this.idle.delete(connection.tcp);
    connection.headingSince = now;
    this.heading.set(connection.tcp, connection);
  }

  /** An HTTPS connection's handshake is done: idle from now, until its first request. */
  secured(socket: TLSSocket): void {
    const tcp = (socket as TLSSocket & { _parent?: Socket })._parent;
    const connection = tcp === undefined ? undefined : this.open.get(tcp);
    if (connection === undefined) return;
    connection.http = socket;
    this.lingerOnClose(connection);
    if (connection.inFlight === 0) this.becameIdle(connection);
  }

  requestStarted(req: IncomingMessage, res: ServerResponse): void {
    const tcp = tcpOf(req.socket);
    const connection = this.open.get(tcp);
    if (connection === undefined) return;
    connection.inFlight++;
    connection.answering.set(req, res);
    this.idle.delete(tcp);
    this.heading.delete(tcp);
    res.once('close', () => {
      connection.inFlight--;
      connection.answering.delete(req);
      if (connection.inFlight === 0 && this.open.has(tcp)) this.becameIdle(connection);
    });
  }

  /** See GuardedListener.behindClose. */
  behindClose(req: IncomingMessage): boolean {
    const connection = this.open.get(tcpOf(req.socket));
    if (connection === undefined) return false;
    // An answer that closed it has been sent: the lingering close drops what follows.
    if (connection.endLinger !== undefined) return true;
    for (const [earlier, res] of connection.answering) {
      if (earlier === req) return false;
      if (closesConnection(res)) return true;
    }
    return false;
  }

  private becameIdle(connection: Connection): void {
    connection.bytesWhenIdle = connection.tcp.bytesRead;
    this.heading.delete(connection.tcp);
    this.idle.delete(connection.tcp);
    this.idle.set(connection.tcp, connection);
  }

  /** Closes the connection idle longest to make room; false when none is idle. */
  private evictLongestIdle(): boolean {
    for (const connection of this.idle.values()) {
      const { tcp } = connection;
      if (tcp.destroyed) {
        // Already closing (its 'close' is still to come): its slot is free now.
        this.forget(connection);
        return true;
      }
      if (connection.endLinger !== undefined || tcp.bytesRead === connection.bytesWhenIdle) {
        this.forget(connection);
        connection.http.destroy();
        this.report(connection.address, 'idle_evicted');
        return true;
      }
      // Bytes arrived since it was last idle (since the last watch): a request is on its way.
      // Idle again once answered; slow to arrive, it gives way all the same (evictSlowHead).
      this.headingFrom(connection, performance.now());
    }
    return false;
  }

  /** Closes the connection whose head has been arriving longest, past SLOW_HEAD_MS; false when none has. */
  private evictSlowHead(): boolean {
    const now = performance.now();
    for (const connection of this.heading.values()) {
      const { tcp } = connection;
      if (tcp.destroyed) {
        this.forget(connection);
        return true;
      }
      // In the order found: the rest arrived later still.
      if (now - connection.headingSince < SLOW_HEAD_MS) return false;
      this.forget(connection);
      connection.http.destroy();
      this.report(connection.address, 'slow_head_evicted');
      return true;
    }
    return false;
  }

  private openFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /** Ends the linger of the connection from `address` draining longest; false when none is. */
  private endOldestLinger(address: string): boolean {
    for (const connection of this.lingering.values()) {
      if (connection.address !== address) continue;
      this.forget(connection);
      connection.endLinger?.();
      return true;
    }
    return false;
  }

  private forget(connection: Connection): void {
    if (!this.open.delete(connection.tcp)) return;
    this.idle.delete(connection.tcp);
    this.heading.delete(connection.tcp);
    this.lingering.delete(connection.tcp);
    const left = (this.perAddress.get(connection.address) ?? 1) - 1;
    if (left <= 0) this.perAddress.delete(connection.address);
    else this.perAddress.set(connection.address, left);
  }

  /**
   * Node ends an answer sent with `Connection: close` by destroySoon(): end(), then destroy() as
   * soon as the answer is flushed. A client still sending its body then has its bytes arrive at a
   * closed socket, the kernel answers with a reset, and a client that reads only after writing gets
   * EPIPE/ECONNRESET instead of the 413 or 401. Here it closes in stages instead (RFC 9112 9.6):
   * the answer and a FIN (the half-close), then what the client still sends is read and dropped
   * until it closes its side, within LINGER_MS and LINGER_MAX_BYTES.
   */
  /** Whether `socket` closes with the lingering close (an HTTP socket the table set it up on). */
  lingers(socket: Socket): boolean {
    return this.lingerReady.has(socket);
  }

  private lingerOnClose(connection: Connection): void {
    const socket = connection.http;
    this.lingerReady.add(socket);
    socket.destroySoon = () => {
      connection.endLinger = lingeringClose(socket, this.drainBudget, () =>
        this.report(connection.address, 'drain_cut'),
      );
      if (this.open.has(connection.tcp)) this.lingering.set(connection.tcp, connection);
    };
  }

  private report(source: string, outcome: ConnectionRefusal): void {
    this.guard.onRefused({ source, outcome, listener: this.guard.listener });
  }
}

/**
 * Half-closes `socket` and drops what its client still sends until it closes, for at most
 * LINGER_MS and LINGER_MAX_BYTES, at the pace `budget` allows; `cut` is called when a bound ends
 * it while the client was still sending (it may then see a reset). Returns what ends it early.
 */
function lingeringClose(socket: Socket, budget: DrainBudget, cut: () => void): () => void {
  if (socket.destroyed) return () => {};
  socket.end();
  // The client has finished sending: nothing can arrive at a closed socket.
  if (socket.readableEnded) {
    socket.destroy();
    return () => {};
  }
  let drained = 0;
  let waiting: NodeJS.Timeout | undefined;
  const stop = (cutShort: boolean): void => {
    clearTimeout(timer);
    clearTimeout(waiting);
    if (cutShort && drained > 0) cut();
    socket.destroy();
  };
  const timer = setTimeout(() => stop(true), LINGER_MS);
  timer.unref();
  socket.once('end', () => stop(false));
  socket.once('close', () => {
    clearTimeout(timer);
    clearTimeout(waiting);
  });
  // HTTP is done with this connection: its parser's listener goes, so nothing the client still
  // sends is read as another request. Adding a 'data' listener makes Node's HTTP server stop
  // feeding its parser from the socket's handle and deliver the bytes as 'data' events instead.
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_MAX_BYTES) return stop(true);
    const waitMs = budget.spend(chunk.length);
    if (waitMs === 0 || waiting !== undefined) return;
    socket.pause();
    waiting = setTimeout(() => {
      waiting = undefined;
      socket.resume();
    }, waitMs);
    waiting.unref();
  });
  socket.resume();
  // A body nobody read fills its request's buffer, and Node stops reading the handle (through a
  // pause listener of the parser's, which went above); resume() does not start it again, since
  // the stream's own state never saw those reads. Started here, as that listener would.
  const handle = (socket as Socket & { _handle?: { reading: boolean; readStart(): number } | null })._handle;
  if (handle?.reading === false) {
    handle.reading = true;
    handle.readStart();
  }
  return () => stop(true);
}

/**
 * A token bucket of drained bytes, DRAIN_BYTES_PER_SECOND with DRAIN_BURST_BYTES in reserve. What
 * was read is spent even past the reserve (it is in memory already); the debt is what the next
 * reader waits for, and is kept under one LINGER_MS of refill: a longer wait outlasts any linger,
 * and a flood's debt would hold back the drains after it.
 */
class DrainBudget {
  private bytes = DRAIN_BURST_BYTES;
  private refilledAt = performance.now();

  /** Spends `bytes`; the ms to wait before reading more, 0 while the reserve lasts. */
  spend(bytes: number): number {
    const now = performance.now();
    this.bytes = Math.min(
      DRAIN_BURST_BYTES,
      this.bytes + ((now - this.refilledAt) / 1000) * DRAIN_BYTES_PER_SECOND,
    );
    this.refilledAt = now;
    this.bytes = Math.max(this.bytes - bytes, -MAX_DRAIN_DEBT_BYTES);
    return this.bytes >= 0 ? 0 : Math.ceil((-this.bytes / DRAIN_BYTES_PER_SECOND) * 1000);
  }
}
