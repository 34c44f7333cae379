// Regression: `decisionWaitSeconds` had no upper bound, and the collector holds a duration as
// Go's int64 nanoseconds (about 292 years). 10000000000 (a typo for 10) was written as
// `decision_wait: 10000000000s`, and the config the generator wrote was refused by the collector
// ("'decision_wait' time: invalid duration"). It is now refused at generate time, naming the
// option; the longest the collector reads, 9223372036 s, is written and accepted. Real parts: the
// plumbline collector's `validate`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { collectorBinary } from '../support/collector.js';

const exec = promisify(execFile);
const spec = {
  service: { name: 'shop' },
  events: {},
  sampling: { policies: [{ name: 'baseline', kind: 'budget' as const, tracesPerSecond: 5 }] },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-decision-wait-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function validate(text: string): Promise<{ ok: boolean; output: string }> {
  const path = join(dir, 'single.yaml');
  await writeFile(path, text);
  return exec(await collectorBinary(), ['validate', `--config=file:${path}`], {
    env: { PATH: process.env['PATH'] ?? '' },
  }).then(
    () => ({ ok: true, output: '' }),
    (error: { stderr?: string }) => ({ ok: false, output: error.stderr ?? '' }),
  );
}

describe('decisionWaitSeconds beyond a Go duration', () => {
  it('is refused at generate time, naming the option', () => {
    expect(() => generateCollectorConfigs(spec, { decisionWaitSeconds: 10_000_000_000 })).toThrow(
      /options\.decisionWaitSeconds: expected at most 9223372036/,
    );
  });

  it('the longest one allowed makes a config the collector accepts', async () => {
    const single = generateCollectorConfigs(spec, { decisionWaitSeconds: 9_223_372_036 })['single.yaml'];
    expect(single).toContain('decision_wait: 9223372036s');
    const result = await validate(single);
    expect(result, result.output).toEqual({ ok: true, output: '' });
  }, 60_000);
});
