// Regression: a tenant's parse-time allowance is charged from the request head (its declared
// content-length, or the largest body allowed when it declares none) and settled once the body is
// parsed, but a body that never arrived by the deadline (408 body_timeout) or turned out larger
// than allowed (413 body_too_large, sent chunked) kept its charge: work never done throttled the
// tenant. With max_body_bytes 64 MiB, one 408 on a body declared 60 MiB (or one 413 on a chunked
// body) made the tenant's next request of 60 MiB a 429 parse_budget, refused from its head. The
// charge of a body never parsed is now given back, as it already was for a client that left.
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprintToml } from '../support/blueprint.js';
import { hostPort } from '../support/connection-refusals.js';
import { startInProcessBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKENS = {
  acme: 'regression-parse-charge-acme-0123456789',
  bulk: 'regression-parse-charge-bulk-0123456789',
};
const MIB = 1 << 20;
const MAX_BODY_BYTES = 64 * MIB;
/** Declared by each request: its charge takes most of a full allowance (the largest body's). */
const DECLARED_BYTES = 60 * MIB;
const TIMEOUT_MS = 1_000;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startInProcessBlueprint({
    prefix: 'blueprint-parse-charge-',
    toml: (dir, deps) =>
      blueprintToml({
        dbPath: join(dir, 'events.db'),
        deps,
        // Two latency-sensitive tenants: each allowance refills at a quarter of the clock.
        tenants: {
          acme: { class: 'latency-sensitive', token_env: 'ACME_TOKEN' },
          bulk: { class: 'latency-sensitive', token_env: 'BULK_TOKEN' },
        },
        tables: { ingress: { timeout_ms: TIMEOUT_MS, max_body_bytes: MAX_BODY_BYTES } },
      }),
    telemetry: (dir) => ({
      logDestination: join(dir, 'events.ndjson'),
      securityLogDestination: join(dir, 'security.ndjson'),
    }),
    env: { ACME_TOKEN: TOKENS.acme, BULK_TOKEN: TOKENS.bulk },
  });
  // The allowances start small and fill with the clock: full (the largest body's parse, 640 ms
  // at the first estimate of 10 ms per MiB) after 2.5 s at a quarter of the clock.
  await new Promise((resolve) => setTimeout(resolve, 3_500));
}, 30_000);

afterAll(() => blueprint?.stop());

function head(tenant: keyof typeof TOKENS, framing: string): string {
  return (
    `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: ${tenant}\r\nauthorization: Bearer ${TOKENS[tenant]}\r\n` +
    `content-type: application/json\r\n${framing}\r\n`
  );
}

/** Sends `request` (and `then`, once connected) and reads until the server closes: what it answered. */
async function exchange(request: string, then?: Buffer): Promise<string> {
  const socket = connect(hostPort(blueprint.service.url));
  socket.on('error', () => undefined);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write(request);
  if (then !== undefined) socket.write(then);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 10_000))]);
  socket.destroy();
  return answer;
}

/** The `error` of a JSON answer, or its status line when it has none. */
function errorOf(answer: string): string {
  return /"error":"([a-z_]+)"/.exec(answer)?.[1] ?? answer.split('\r\n', 1)[0]!;
}

const declaredLarge = `content-length: ${DECLARED_BYTES}\r\n`;

describe('regression: the parse charge is kept for a body never parsed', () => {
  it('gives the charge back when the body does not arrive by the deadline (408)', async () => {
    expect(errorOf(await exchange(head('acme', declaredLarge), Buffer.from('[{"type":')))).toBe(
      'body_timeout',
    );
    // Admitted again (and timed out again), not refused for its parse time.
    expect(errorOf(await exchange(head('acme', declaredLarge)))).toBe('body_timeout');
  }, 30_000);

  it('gives the charge back when a chunked body is larger than allowed (413)', async () => {
    const tooLargeBefore = blueprint.service.stats.rejectedByReason.body_too_large ?? 0;
    const size = MAX_BODY_BYTES + 1;
    const chunk = Buffer.concat([
      Buffer.from(`${size.toString(16)}\r\n`),
      Buffer.alloc(size, 0x20),
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    await exchange(head('bulk', 'transfer-encoding: chunked\r\n'), chunk);
    expect((blueprint.service.stats.rejectedByReason.body_too_large ?? 0) - tooLargeBefore).toBe(1);
    expect(errorOf(await exchange(head('bulk', declaredLarge)))).toBe('body_timeout');
  }, 30_000);
});
