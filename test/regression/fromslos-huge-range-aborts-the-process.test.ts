// Regression: a fromSlos plan whose range overflows (min 1e-300, max 1e300, or min 1e-309, max
// 1) passed the spec check, then deriving its boundaries ran for 22-30 s to 1.95 GB and V8 aborted
// the process ("Fatal JavaScript invalid size error"), uncatchable; the CLI died the same way
// (exit 133). A hostile-input trial found it. The check now refuses a plan of more than 201
// boundaries, naming the field, and the derivation never takes more steps. Real parts: the spec
// check defineTelemetry runs, and the CLI as a process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';
import { resolveBoundaries } from '../../src/spec/buckets.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { runCli } from '../support/cli.js';

function specWith(min: number, max: number, perDecade?: number): TelemetrySpec {
  return {
    service: { name: 'x' },
    events: {},
    histograms: {
      h: {
        description: 'd',
        unit: 's',
        buckets: { fromSlos: perDecade === undefined ? { min, max } : { min, max, perDecade } },
      },
    },
  };
}

it('fromslos-huge-range-aborts-the-process: the spec check names the plan', () => {
  for (const [min, max, perDecade] of [
    [1e-300, 1e300, undefined],
    [1e-309, 1, undefined],
    [0.001, 1e9, 20],
  ] as const) {
    let error: unknown;
    try {
      defineTelemetry(specWith(min, max, perDecade));
    } catch (caught) {
      error = caught;
    }
    expect(error, `${min}..${max}`).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toMatch(
      /histograms\.h\.buckets\.fromSlos: would derive \d+ boundaries/,
    );
  }
  // A wide plan within the bound still works: 1e-9 s to 1e9 s at 4 per decade.
  expect(() => defineTelemetry(specWith(1e-9, 1e9))).not.toThrow();
  // The derivation itself never runs away, even on a spec nobody checked.
  expect(resolveBoundaries(specWith(1e-309, 1), 'h').length).toBeLessThanOrEqual(201);
});

it('fromslos-huge-range-aborts-the-process: the CLI exits 1 with the field named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fromslos-'));
  try {
    const specPath = join(dir, 'spec.json');
    await writeFile(specPath, JSON.stringify(specWith(1e-300, 1e300)));
    const result = await runCli(['generate', 'alerts', '--spec', specPath, '--out', join(dir, 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/histograms\.h\.buckets\.fromSlos: would derive/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
