// Regression (a newcomer's walk through docs/nodesdk.md): the recipe's
// `logDestination: '/var/log/shop/events.ndjson'`, run as a user who may not write /var/log, started
// without a word (sonic-boom opens a path in the background), then the first event line threw
// ERR_OUT_OF_RANGE ("fd ... Received -1") from a microtask and ended the service, and SIGTERM
// ended in "sonic boom is not ready yet" thrown by pino's exit handler. A log file that cannot be
// opened now fails the setup, naming the path and why. Tests run as root, who may write anything:
// a path that is a directory, or under a regular file, cannot be opened by root either.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.placed': { level: 'info', fields: { order_id: { type: 'string' } } },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'plumbline-log-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('log-file-that-cannot-be-opened-crashes-the-app: the setup fails naming the path', () => {
  const notAFile = join(dir, 'a-directory');
  expect(() => createEventLogger(spec, { destination: dir })).toThrow(
    `cannot open the log file ${JSON.stringify(dir)} for appending (EISDIR`,
  );
  writeFileSync(notAFile, '');
  const underAFile = join(notAFile, 'events.ndjson');
  expect(() => createEventLogger(spec, { destination: underAFile })).toThrow(
    `cannot open the log file ${JSON.stringify(underAFile)}`,
  );
  expect(() =>
    createEventLogger(spec, { destination: join(dir, 'ok.ndjson'), securityDestination: dir }),
  ).toThrow(`cannot open the log file ${JSON.stringify(dir)}`);
});

it('log-file-that-cannot-be-opened-crashes-the-app: a path that can be opened still works, its directory made, owner-only', async () => {
  const path = join(dir, 'new', 'deeper', 'events.ndjson');
  const log = createEventLogger(spec, { destination: path });
  log.event('order.placed', { order_id: 'o-1' });
  log.event('order.placed', { order_id: 'o-2' });
  await log.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  expect(lines.map((line) => (JSON.parse(line) as { order_id: string }).order_id)).toEqual(['o-1', 'o-2']);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  // Appended to, not replaced.
  const again = createEventLogger(spec, { destination: path });
  again.event('order.placed', { order_id: 'o-3' });
  await again.close();
  expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
});
