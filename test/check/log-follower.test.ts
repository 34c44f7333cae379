// Following an event log: a file read from its start as it grows (waiting for it to appear, lines
// split across writes joined), and a stream such as stdin.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { followFile, followStream } from '../../src/check/log-follower.js';
import { startLiveCheck } from '../../src/check/live-check.js';
import { checkSpec } from './check-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'log-follower-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('followFile', () => {
  it('waits for the file, reads it from the start, follows appends and joins a line split across writes', async () => {
    const path = join(dir, 'growing.ndjson');
    const lines: string[] = [];
    const follower = followFile(path, (line) => lines.push(line));
    await pause(250);
    expect(follower.error()).toMatch(/cannot read .*growing\.ndjson/);
    appendFileSync(path, 'one\ntw');
    await pause(250);
    expect(follower.error()).toBeUndefined();
    appendFileSync(path, 'o\nthree');
    await follower.stop();
    expect(lines).toEqual(['one', 'two', 'three']);
  });
});

describe('followStream', () => {
  it('hands over the lines of a stream', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    const follower = followStream(stream, (line) => lines.push(line));
    stream.write('a\nb');
    stream.end('\nc\n');
    await pause(50);
    await follower.stop();
    expect(lines).toEqual(['a', 'b', 'c']);
  });

  it('feeds a live check from a stream (what --logs - does with stdin)', async () => {
    const stream = new PassThrough();
    const check = await startLiveCheck({ spec: checkSpec, logs: stream });
    stream.write(
      JSON.stringify({
        time: 't',
        level: 'info',
        event: 'order.refunded',
        service: 'shop',
        schema_version: '1',
      }) + '\n',
    );
    await pause(50);
    const report = await check.finish();
    expect(report.observed.logLines).toBe(1);
    expect(report.deviations.map((d) => `${d.kind} ${d.subject}`)).toEqual([
      'undeclared-event order.refunded',
    ]);
  });
});
