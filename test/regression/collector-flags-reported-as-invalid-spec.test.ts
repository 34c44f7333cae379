// Regression: bad `generate collector` flags were reported as an invalid spec, exit 1:
// `--gateways 0` printed "invalid telemetry spec ... options.gatewayCount: expected an integer >= 1",
// `--resolver dsn` got no "did you mean", `--gateways " "` was read as 0 (Number(" ")) and
// `--gateways=0x10` as 16. Each is bad usage now: the flag named, decimal numbers only, the
// nearest value of a choice suggested, exit 2. Real parts: the CLI.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-collector-flags-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: collector flags reported as invalid spec', () => {
  it.each([
    [['--gateways', '0'], '--gateways: expected a decimal integer >= 1, got "0"'],
    [['--gateways', ' '], '--gateways: expected a decimal integer >= 1, got " "'],
    [['--gateways=0x10'], '--gateways: expected a decimal integer >= 1, got "0x10"'],
    [['--gateways', '2.5'], '--gateways: expected a decimal integer >= 1, got "2.5"'],
    [['--gateways', '1e1'], '--gateways: expected a decimal integer >= 1, got "1e1"'],
    [
      ['--spans-per-trace', '0.5'],
      '--spans-per-trace: expected a decimal number >= 1 (such as 10 or 2.5), got "0.5"',
    ],
    [
      ['--spans-per-trace', 'Infinity'],
      '--spans-per-trace: expected a decimal number >= 1 (such as 10 or 2.5), got "Infinity"',
    ],
    [['--resolver', 'dsn'], '--resolver: expected "static" or "dns", got "dsn"; did you mean "dns"?'],
    [
      ['--trace-backend', 'otpl'],
      '--trace-backend: expected "otlp" or "file", got "otpl"; did you mean "otlp"?',
    ],
  ])('%j is bad usage naming the flag, exit 2', async (flags, message) => {
    const out = join(dir, 'refused');
    const result = await runCli(['generate', 'collector', '--spec', SPEC, '--out', out, ...flags]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`plumbline generate: ${message}\nusage: plumbline generate collector`);
    expect(result.stderr).not.toContain('invalid telemetry spec');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('good values still shape the configs', async () => {
    const out = join(dir, 'good');
    const result = await runCli([
      'generate',
      'collector',
      '--spec',
      SPEC,
      '--out',
      out,
      '--gateways',
      '3',
      '--spans-per-trace',
      '2.5',
      '--resolver',
      'dns',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const agent = parse(await readFile(join(out, 'agent.yaml'), 'utf8')) as {
      exporters: Record<string, { resolver?: Record<string, unknown> }>;
    };
    expect(Object.values(agent.exporters).some((exporter) => exporter.resolver?.['dns'] !== undefined)).toBe(
      true,
    );
  });
});
