// An OTLP/HTTP receiver for `check live`: POST /v1/traces, /v1/logs and /v1/metrics, JSON or
// protobuf, answered the way the OTLP/HTTP spec says (200 with an empty response in the
// request's encoding, 400 for a body that does not decode, 413 past the size bound), so it
// can stand behind a collector's otlphttp exporter or take an application's export directly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeOtlpRequest,
  decompress,
  OtlpBodyTooLargeError,
  OtlpDecodeError,
  type DecodedRequest,
  type Signal,
} from './otlp-decode.js';
import { LiveCheckOptionError } from './options.js';

/** The largest request body read (compressed and decompressed), in bytes, by default. */
export const MAX_OTLP_BODY_BYTES = 32 * 1024 * 1024;

export interface OtlpSinkOptions {
  /**
   * The largest request body read, compressed and once decompressed (default
   * MAX_OTLP_BODY_BYTES): past it the request is refused with 413, and its bytes are not kept.
   */
  readonly maxBodyBytes?: number;
}

const PATHS: Readonly<Record<string, Signal>> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
};

export interface OtlpSinkCounts {
  requests: number;
  /** Requests refused: bad path or method, undecodable or oversized bodies. */
  refused: number;
}

export interface OtlpSink {
  /** Base URL to give an exporter (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. http://127.0.0.1:4318. */
  readonly url: string;
  readonly counts: Readonly<OtlpSinkCounts>;
  close(): Promise<void>;
}

/**
 * Parses `host:port`, `:port` or `port` (host defaults to 127.0.0.1); anything else is a
 * LiveCheckOptionError (bad usage: the CLI exits 2).
 */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*?)\]?:)?([0-9]{1,5})$/.exec(address.trim());
  const port = Number(match?.[2]);
  if (match === null || !(port >= 0 && port <= 65_535))
    throw new LiveCheckOptionError(`--otlp-listen: expected HOST:PORT or PORT, got "${address}"`);
  return { host: match[1] === undefined || match[1] === '' ? '127.0.0.1' : match[1], port };
}

export async function startOtlpSink(
  listen: string,
  onRequest: (signal: Signal, request: DecodedRequest) => void,
  onRefused: (signal: Signal | undefined, reason: string) => void = () => {},
  options: OtlpSinkOptions = {},
): Promise<OtlpSink> {
  const { host, port } = parseListenAddress(listen);
  const maxBytes = options.maxBodyBytes ?? MAX_OTLP_BODY_BYTES;
  const counts: OtlpSinkCounts = { requests: 0, refused: 0 };
  const refuse = (res: ServerResponse, status: number, signal: Signal | undefined, reason: string) => {
    counts.refused++;
    onRefused(signal, reason);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(reason);
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    const signal = PATHS[(req.url ?? '').split('?')[0]!];
    if (signal === undefined || req.method !== 'POST') {
      req.resume();
      return refuse(res, 404, signal, `${req.method ?? ''} ${req.url ?? ''}: not an OTLP/HTTP path`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // Refused as soon as it is past the bound (its Content-Length, or the bytes so far); the rest
    // is read and dropped, not kept, so the sender gets the 413 rather than a reset (Node's
    // requestTimeout, 300 s, ends a sender that never stops).
    const refuseTooLarge = () => {
      tooLarge = true;
      chunks.length = 0;
      refuse(res, 413, signal, `body larger than ${maxBytes} bytes`);
    };
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      req.resume();
      return refuseTooLarge();
    }
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > maxBytes) refuseTooLarge();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      const contentType = req.headers['content-type'] ?? '';
      let decoded: DecodedRequest;
      try {
        const body = decompress(Buffer.concat(chunks), req.headers['content-encoding'], maxBytes);
        decoded = decodeOtlpRequest(signal, body, contentType);
      } catch (error) {
        const status =
          error instanceof OtlpBodyTooLargeError
            ? 413
            : error instanceof OtlpDecodeError && /content-type/.test(error.message)
              ? 415
              : 400;
        return refuse(res, status, signal, (error as Error).message);
      }
      onRequest(signal, decoded);
      // An empty Export*ServiceResponse: `{}` in JSON, zero bytes in protobuf.
      const json = contentType.toLowerCase().startsWith('application/json');
      res
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : '');
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
