// Regression: `check live --logs FILE` kept reading at the offset it had reached, so after a
// copy-truncate rotation (logrotate's `copytruncate`: the file cut to 0 bytes, the service writing
// on from the start) every later line was missed: 50 lines, truncate, an undeclared event appended
// -> logLines 50 and no deviation. A rotation that replaces the file (rename, a new file under the
// name) was followed no better: the old file was read forever. The follower now starts over when
// the file is shorter than what it has read, and moves to the new file when the name points at
// another one (after reading what is left of the old). Real parts: files on disk, the follower and
// the live check reading them.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { followFile } from '../../src/check/log-follower.js';
import { checkSpec } from '../check/check-spec.js';
import { waitFor } from '../support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'check-live-rotation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (event: string, keys = 1) =>
  JSON.stringify({
    time: '2026-01-01T00:00:00.000Z',
    level: 'info',
    event,
    service: 'shop',
    schema_version: '1',
    keys,
  }) + '\n';

it('copy-truncate: the lines written after the file was cut are read', async () => {
  const path = join(dir, 'copytruncate.ndjson');
  writeFileSync(path, line('cache.evicted').repeat(50));
  const lines: string[] = [];
  const follower = followFile(path, (text) => lines.push(text));
  try {
    await waitFor('the 50 lines', () => (lines.length === 50 ? true : undefined), 10_000, 20);
    truncateSync(path, 0);
    appendFileSync(path, line('order.shipped'));
    await waitFor(
      'the line written after the truncation',
      () => (lines.length === 51 ? true : undefined),
      10_000,
      20,
    );
    expect(JSON.parse(lines[50]!)).toMatchObject({ event: 'order.shipped' });
  } finally {
    await follower.stop();
  }
  expect(follower.error()).toBeUndefined();
  expect(lines).toHaveLength(51);
});

it('rename and create: the rest of the old file, then the new file from its start', async () => {
  const path = join(dir, 'renamed.ndjson');
  writeFileSync(path, line('cache.evicted', 1).repeat(3));
  const lines: string[] = [];
  const follower = followFile(path, (text) => lines.push(text));
  try {
    await waitFor('the 3 lines', () => (lines.length === 3 ? true : undefined), 10_000, 20);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, line('cache.evicted', 2)); // the service's last line to the old file
    writeFileSync(path, line('cache.evicted', 3)); // then it reopens the name
    await waitFor('the lines after the rotation', () => (lines.length === 5 ? true : undefined), 10_000, 20);
  } finally {
    await follower.stop();
  }
  expect(lines.map((text) => (JSON.parse(text) as { keys: number }).keys)).toEqual([1, 1, 1, 2, 3]);
});

it('the live check reports an event written after a copy-truncate rotation', async () => {
  const path = join(dir, 'events.ndjson');
  writeFileSync(path, line('cache.evicted').repeat(50));
  const check = await startLiveCheck({ spec: checkSpec, logs: path });
  await new Promise((resolve) => setTimeout(resolve, 500)); // some polls (every 100 ms) read the 50
  truncateSync(path, 0);
  appendFileSync(path, line('order.shipped'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const report = await check.finish();
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source})`)).toEqual([
    'undeclared-event order.shipped (logs)',
  ]);
});
