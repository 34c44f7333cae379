// Regression (export review): with TLS files in the environment (OTEL_EXPORTER_OTLP_CERTIFICATE
// and friends) the OTLP log export kept OTel's own HTTP agent, which plumbline cannot close, so
// an export under way when shutdown() met its bound (exportTimeoutMs) was not given up: its
// request held a connection, and the process, until its own timeout. A collector that answered
// the first batch after half the timeout and then nothing: the second batch's connection was
// still open after shutdown() resolved (closed 1 s later, at that export's timeout). Now
// plumbline makes that agent too, with the certificate files read as OTel reads them, and closes
// it at the bound. Real parts: a throwaway CA (openssl), a TLS server on 127.0.0.1, real HTTPS.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { issueCertificate, makeCertificateAuthority } from '../support/collector.js';
import { freePort, waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const EXPORT_TIMEOUT_MS = 2_000;
/** Two batches of OTel's batch log processor (512 a batch). */
const RECORDS = 1_000;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An HTTPS collector that answers its first log export after `firstAnswerMs` and never answers
 * another; counts the connections still open.
 */
async function slowThenSilentCollector(firstAnswerMs: number, clientCertificates: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCertificateAuthority(dir, 'plumbline test CA');
  const leaf = issueCertificate(ca, { cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') });
  const client = issueCertificate(ca, { cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') });
  const open = new Set<Socket>();
  /** Connections holding a request not answered. */
  const waiting = new Set<Socket>();
  let requests = 0;
  const tls = { cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) };
  const mutual = { ca: readFileSync(ca.cert), requestCert: true, rejectUnauthorized: true };
  const server = createTlsServer(clientCertificates ? { ...tls, ...mutual } : tls, (request, response) => {
    const socket = request.socket;
    waiting.add(socket);
    response.on('finish', () => waiting.delete(socket));
    request.resume();
    request.on('end', () => {
      requests++;
      if (requests === 1)
        setTimeout(
          () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
          firstAnswerMs,
        );
    });
  });
  server.on('secureConnection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => {
      open.delete(socket);
      waiting.delete(socket);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `https://127.0.0.1:${port}`,
    ca: ca.cert,
    client,
    waiting: () => waiting.size,
    requests: () => requests,
  };
}

describe('the log export with TLS files in the environment', () => {
  for (const [name, mutual] of [
    ['OTEL_EXPORTER_OTLP_CERTIFICATE', false],
    ['OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE, _LOGS_CLIENT_CERTIFICATE and _LOGS_CLIENT_KEY', true],
  ] as const) {
    it(`is given up at shutdown's bound (${name})`, async () => {
      const collector = await slowThenSilentCollector(EXPORT_TIMEOUT_MS / 2, mutual);
      const variables: Record<string, string> = mutual
        ? {
            OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: collector.ca,
            OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE: collector.client.cert,
            OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY: collector.client.key,
          }
        : { OTEL_EXPORTER_OTLP_CERTIFICATE: collector.ca };
      for (const [variable, value] of Object.entries(variables)) {
        const saved = process.env[variable];
        process.env[variable] = value;
        cleanups.push(() =>
          saved === undefined ? delete process.env[variable] : (process.env[variable] = saved),
        );
      }
      const telemetry = createTelemetry(spec, {
        logDestination: captureLines().destination,
        otlpEndpoint: collector.url,
        exportTimeoutMs: EXPORT_TIMEOUT_MS,
        registerGlobal: false,
      });
      cleanups.push(() => telemetry.shutdown());
      for (let i = 0; i < RECORDS; i++) telemetry.log.event('order.viewed', { order_id: `o-${i}` });
      await telemetry.shutdown();
      // The files were used (the collector's CA trusted, the client's certificate shown): the
      // first batch was delivered over TLS, and the second sent.
      expect(collector.requests()).toBe(2);
      // Given up at the bound, the second export's request is ended: the server sees its
      // connection go. Before: it stayed open until that export's own timeout, half a timeout on.
      await waitFor(
        'the request ended',
        () => (collector.waiting() === 0 ? true : undefined),
        EXPORT_TIMEOUT_MS / 4,
        20,
      ).catch(() => undefined);
      expect(collector.waiting(), 'requests still held open after shutdown()').toBe(0);
    });
  }
});
