// flushDestination through sonic-boom's public API: a flush resolves once the lines written
// before are in the file (a file still opening included), and a stream that only offers the
// public surface (write, 'ready'/'drain'/'error') is waited for too.
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEventLogger } from '../../src/index.js';
import { flushDestination } from '../../src/logs/log-destination.js';
import { ordersSpec } from '../fixtures/orders-spec.js';

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  return text === '' ? 0 : text.trimEnd().split('\n').length;
}

/** sonic-boom's public surface only: a write completes on a later turn, then 'drain'. */
class PublicOnlyStream extends EventEmitter {
  written = '';
  private pending = '';
  private writing = false;
  write(data: string): boolean {
    this.pending += data;
    if (!this.writing) this.start();
    return true;
  }
  flushSync(): void {}
  reopen(): void {}
  private start(): void {
    this.writing = true;
    setTimeout(() => {
      this.written += this.pending;
      this.pending = '';
      this.writing = false;
      this.emit('drain');
    }, 20);
  }
}

describe('flushDestination', () => {
  it('resolves once every line logged before is in the file, from a file still opening', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plumbline-flush-')), 'events.ndjson');
    const log = createEventLogger(ordersSpec, { destination: path });
    for (let i = 0; i < 3000; i++) log.event('order.failed', { order_id: `o-${i}`, reason: 'r' });
    await log.flush();
    expect(await lineCount(path)).toBe(3000);
    // And again once open, with lines in flight.
    for (let i = 0; i < 3000; i++) log.event('order.failed', { order_id: `p-${i}`, reason: 'r' });
    await log.flush();
    expect(await lineCount(path)).toBe(6000);
    await log.close();
  });

  it('resolves once a file still opening is open, with nothing written', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plumbline-flush-open-')), 'events.ndjson');
    const destination = pino.destination({ dest: path, sync: false });
    let opened = false;
    destination.once('ready', () => (opened = true));
    const started = Date.now();
    await flushDestination(destination);
    expect(opened).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    destination.end();
  });

  it('resolves at once for an idle open pino.destination', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plumbline-flush-idle-')), 'events.ndjson');
    const destination = pino.destination({ dest: path, sync: false });
    await new Promise((ready) => destination.once('ready', ready));
    const started = Date.now();
    await flushDestination(destination);
    expect(Date.now() - started).toBeLessThan(1000);
    destination.end();
  });

  it('waits for the drain of a stream that offers only the public API', async () => {
    const stream = new PublicOnlyStream();
    stream.write('a line\n');
    await flushDestination(stream as never);
    expect(stream.written).toBe('a line\n');
  });
});
