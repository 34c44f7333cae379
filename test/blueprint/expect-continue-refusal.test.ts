// A request that waits for `100 Continue` and is refused from its head gets the refusal at once,
// in place of the 100 (RFC 9110 10.1.1), and its connection closes: the client may never send the
// body, and bytes it sends anyway must not be read as the next request. Node marks such an answer
// not keep-alive itself (a final status without 100 sent); this holds the blueprint to it for a
// keep-alive client with a small body, which a refusal before the body otherwise keeps open.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPort } from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'expect-continue-refusal-token-0123456789';
/** Far beyond the wait below: a server that waited for the body would hold the connection this long. */
const REQUEST_TIMEOUT_MS = 120_000;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-expect-refusal-', TOKEN, {
    service: { request_timeout_ms: REQUEST_TIMEOUT_MS },
    tables: { ingress: { timeout_ms: 60_000 } },
  });
});

afterAll(() => blueprint?.stop());

/** Sends only the head (the body waits for 100 Continue, which never comes): what arrives before the server closes. */
async function refusedHead(headers: string): Promise<{ answer: string; closed: boolean }> {
  const socket = connect(hostPort(blueprint.service.url));
  socket.on('error', () => undefined);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = await new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true));
    setTimeout(() => resolve(false), 15_000);
    socket.write(
      `POST /events HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\nexpect: 100-continue\r\n${headers}\r\n`,
    );
  });
  socket.destroy();
  return { answer, closed };
}

describe('Expect: 100-continue refused from the head', () => {
  it.each([
    [
      'a wrong token',
      'x-tenant: acme\r\nauthorization: Bearer wrong-token-wrong-token-wrong\r\ncontent-type: application/json\r\ncontent-length: 200\r\n',
      401,
    ],
    [
      'another media type',
      `x-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: text/plain\r\ncontent-length: 200\r\n`,
      415,
    ],
    [
      'a body declared too large',
      `x-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${(1 << 20) + 1}\r\n`,
      413,
    ],
  ])(
    'answers %s at once instead of 100 Continue, and closes without waiting for the body',
    async (_, headers, status) => {
      const { answer, closed } = await refusedHead(headers);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).not.toContain('100 Continue');
      expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');
      expect(closed).toBe(true);
    },
    30_000,
  );
});
