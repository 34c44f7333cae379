// Regression (log review): lines written by the compiled serializer are batched and handed to the
// destination at the end of the turn; an event that has no compiled serializer (a field named
// like one of pino's keys, such as `msg`) went straight through pino, ahead of the batched lines
// before it. Three calls in one turn landed in a log file as 2, 1, 3.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'order.placed': { level: 'info', fields: { n: { type: 'string' } } },
    'order.noted': { level: 'info', fields: { n: { type: 'string' }, msg: { type: 'string' } } },
  },
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('writes lines to a file in the order the calls were made', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-order-'));
  dirs.push(dir);
  const path = join(dir, 'events.ndjson');
  const log = createEventLogger(spec, { destination: path });
  log.event('order.placed', { n: '1' });
  log.event('order.noted', { n: '2', msg: 'a note' });
  log.event('order.placed', { n: '3' });
  log.event('order.noted', { n: '4', msg: 'another' });
  await log.close();
  const order = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { n: string }).n);
  expect(order).toEqual(['1', '2', '3', '4']);
});
