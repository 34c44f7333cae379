// Everything `plumbline slo rules` writes passes `promtool check rules` and `promtool test rules`:
// the rules file, and per SLO a copy of its group with the test file run on it.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';
import { patternSpec } from '../fixtures/slo/pattern-spec.js';
import { pipelineSpec } from '../fixtures/slo/pipeline-spec.js';
import { variantSpec } from '../fixtures/slo/variant-spec.js';
import { peerBinary } from '../support/peers.js';

const run = promisify(execFile);
const PROMTOOL = peerBinary('promtool');

async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args, { cwd, maxBuffer: 16 << 20 });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

describe('plumbline slo rules + promtool', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const spec of [checkoutSpec, variantSpec, pipelineSpec, patternSpec]) {
    it(`writes rules and tests for ${spec.service.name} that promtool accepts and passes`, async () => {
      const specFile = join(dir, `${spec.service.name}.json`);
      await writeFile(specFile, JSON.stringify(spec));
      const out = join(dir, spec.service.name);
      const lines: string[] = [];
      const code = await main(['slo', 'rules', '--spec', specFile, '--out', out], {
        stdout: (t) => lines.push(t),
        stderr: (t) => lines.push(t),
      });
      expect(code, lines.join('')).toBe(0);
      // `slo rules` is `generate alerts`: the SLO rules and tests, plus pipeline rules and Alertmanager.
      expect((await readdir(out)).sort()).toEqual(
        ['alertmanager.yml', `${spec.service.name}-slo.rules.yaml`, 'pipeline.rules.yaml', 'promtool'].sort(),
      );
      const slos = Object.keys(spec.slos ?? {}).sort();
      const perSlo = join(out, 'promtool', `${spec.service.name}-slo`);
      expect((await readdir(perSlo)).sort()).toEqual(
        slos.flatMap((slo) => [`${slo}.rules.yaml`, `${slo}.test.yaml`]).sort(),
      );
      expect(await promtool(['check', 'rules', `${spec.service.name}-slo.rules.yaml`], out)).toContain(
        'SUCCESS',
      );
      // The command the docs give, from the alerts directory (promtool takes the files the shell expands).
      const tests = slos.map((slo) => `promtool/${spec.service.name}-slo/${slo}.test.yaml`);
      expect(await promtool(['test', 'rules', ...tests], out)).toContain('SUCCESS');
    });
  }

  it('fails promtool when the rules disagree with the fixtures (the tests can fail)', async () => {
    // The tests run on the SLO's copy of its group (`generate alerts --check` keeps it the same).
    const out = join(dir, checkoutSpec.service.name, 'promtool', 'checkout-slo');
    const { readFile } = await import('node:fs/promises');
    const rules = await readFile(join(out, 'checkout-availability.rules.yaml'), 'utf8');
    const broken = rules.replaceAll('> (14.4 * 0.001)', '> (30 * 0.001)');
    expect(broken).not.toBe(rules);
    await writeFile(join(out, 'checkout-availability.rules.yaml'), broken);
    await expect(promtool(['test', 'rules', 'checkout-availability.test.yaml'], out)).rejects.toThrow(
      /FAILED/,
    );
  });
});
