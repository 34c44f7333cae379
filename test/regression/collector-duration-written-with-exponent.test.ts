// Regression: latency thresholds the spec accepts made collector configs the collector refuses.
// The span metrics' bucket edges were written with JavaScript's number text, so a route threshold
// of 1e-7 ms became `1e-7ms` and `otelcol validate` failed ("time: unknown unit"); a thresholdMs
// of 1e300 became `1e+300ms` (and `threshold_ms: 1e+300`, which the collector took silently).
// Durations are now decimal, to the nanosecond a Go duration holds, and a threshold longer than
// a Go duration (int64 nanoseconds, about 292 years) is refused at generate time by its field.
// Real parts: the CLI, the plumbline collector's `validate`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorBinary } from '../support/collector.js';
import { runCli } from '../support/cli.js';

const exec = promisify(execFile);

function specWith(thresholdMs: number, routes: Record<string, number>) {
  return {
    service: { name: 'shop' },
    events: {},
    sampling: { policies: [{ name: 'slow', kind: 'latency', thresholdMs, routes }] },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-durations-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function validate(path: string): Promise<{ ok: boolean; output: string }> {
  return exec(await collectorBinary(), ['validate', `--config=file:${path}`], {
    env: { PATH: process.env['PATH'] ?? '' },
  }).then(
    () => ({ ok: true, output: '' }),
    (error: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

describe('regression: collector duration written with exponent', () => {
  it('tiny and long thresholds the collector holds make configs `otelcol validate` accepts', async () => {
    const spec = join(dir, 'edges.json');
    await writeFile(spec, JSON.stringify(specWith(9e12, { '/tiny': 1e-7, '/fast': 0.25, '/tinier': 1e-10 })));
    const out = join(dir, 'edges');
    const result = await runCli(['generate', 'collector', '--spec', spec, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of ['gateway.yaml', 'single.yaml']) {
      const validation = await validate(join(out, file));
      expect(validation.ok, `${file}: ${validation.output}`).toBe(true);
      const text = await readFile(join(out, file), 'utf8');
      const config = parse(text) as {
        connectors: { span_metrics: { histogram: { explicit: { buckets: string[] } } } };
      };
      const buckets = config.connectors.span_metrics.histogram.explicit.buckets;
      expect(buckets).toContain('0.000001ms'); // 1e-7 and 1e-10 ms: the nanosecond, once
      expect(buckets).toContain('0.25ms');
      expect(buckets).toContain('9000000000000ms');
      expect(buckets.filter((bucket) => /e/i.test(bucket))).toEqual([]);
      expect(text).not.toMatch(/threshold_ms: .*e/);
    }
  });

  it('a threshold longer than a Go duration is refused by its field at generate time', async () => {
    const spec = join(dir, 'long.json');
    await writeFile(spec, JSON.stringify(specWith(1e300, { '/x': 250, '/slow': 1e13 })));
    const out = join(dir, 'long');
    const result = await runCli(['generate', 'collector', '--spec', spec, '--out', out]);
    expect(result.code, 'generate collector with thresholdMs 1e300').toBe(1);
    expect(result.stderr).toContain(
      "sampling.policies[0].thresholdMs: 1e+300 ms is longer than the collector's longest duration",
    );
    expect(result.stderr).toContain('sampling.policies[0].routes["/slow"]: 10000000000000 ms is longer than');
    expect(result.stderr).not.toContain('routes["/x"]');
  });
});
