// Regression (rules review): a label value holding U+FFFD (or a lone surrogate, which a file or a
// request carries as U+FFFD) was written into the generated PromQL raw, e.g. from
// `seriesMatchers: { job: ['shop\uFFFD'] }` (or `--series-matcher`), which no spec check sees:
// PromQL refuses the raw rune ("invalid UTF-8 rune"), so `promtool check rules` failed on 2 of
// the 19 rules of one SLO and `promtool test rules` on every one. Spelling it `\ufffd` is no way
// out: Prometheus evaluates a rule by printing its expression (the rune raw again) and parsing
// that, so every evaluation failed. Such a value is now matched as a regex with the rune as
// `\x{FFFD}` (ASCII): promtool checks the rules, and its tests fire the expected alerts on series
// labelled with U+FFFD (0 of 19 rules evaluated -> all, tests pass). The promtool series write
// the value as `\ufffd` (JSON wrote a lone surrogate as `\udXXX`, which promtool refuses).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrometheusRules, generatePromtoolFiles } from '../../src/generate/rules/index.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';
import { promtoolTestRules } from '../support/promtool-parallel.js';

const exec = promisify(execFile);

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    orders: {
      description: 'Orders succeed',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
      // One tier keeps promtool's run short.
      alerting: { 'page-slow': false, 'ticket-fast': false, 'ticket-slow': false },
    },
  },
} as const satisfies TelemetrySpec;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-replacement-character-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function generate(out: string, job: string): Promise<string> {
  const options = { seriesMatchers: { job: [job] } };
  await mkdir(out, { recursive: true });
  const rules = join(out, 'shop-slo.rules.yaml');
  await writeFile(rules, generatePrometheusRules(spec, options));
  for (const [path, text] of Object.entries(generatePromtoolFiles(spec, options))) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), text);
  }
  return rules;
}

describe('a series matcher with U+FFFD broke the rules (regression)', () => {
  for (const [name, job] of [
    ['U+FFFD', 'shop\uFFFDeu'],
    ['a lone surrogate', 'shop\uD800eu'],
  ] as const) {
    it(`${name}: promtool checks the rules and their tests pass on series labelled with U+FFFD`, async () => {
      const out = join(dir, name.replace(/\W/g, '-'));
      const rules = await generate(out, job);
      const text = await readFile(rules, 'utf8');
      expect(text).not.toContain('\uFFFD');
      await exec(peerBinary('promtool'), ['check', 'rules', rules]);
      const tests = join(out, 'promtool', 'shop-slo', 'orders.test.yaml');
      const testText = await readFile(tests, 'utf8');
      // The series are labelled with the rune (written as an escape), and the tests expect alerts.
      expect(testText).toContain('job="shop\\ufffdeu"');
      expect(testText).toContain('alertname: SLOErrorBudgetBurn');
      expect(testText).toMatch(/exp_alerts:\n\s+- exp_labels:/);
      await promtoolTestRules(tests);
    }, 120_000);
  }
});
