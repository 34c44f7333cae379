// Regression: a missing required flag exited 1, the code check.md gives deviations ("1
// otherwise (2 for bad flags)"), so a CI gate read `plumbline check live` without --spec as
// "deviations found"; the same for generate, schema export and slo evaluate. Bare `plumbline
// check` printed its usage and exited 0, where schema, slo and generate without a subcommand
// exit 2. Both are bad usage now: the message and the usage on stderr, exit 2. Real parts: the CLI.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';

describe('regression: bad usage not exit 2', () => {
  it.each([
    [['generate', 'alerts', '--out', 'x'], '--spec'],
    [['slo', 'rules', '--check'], '--spec'],
    [['schema', 'export'], '--spec'],
    [['slo', 'evaluate', '--prometheus', 'http://127.0.0.1:1'], '--spec'],
    [['slo', 'evaluate', '--spec', SPEC], '--prometheus'],
    [['check', 'live', '--metrics', 'http://127.0.0.1:1/metrics'], '--spec'],
    [['check', 'live', '--spec', SPEC], '--metrics'],
  ])('%j: a missing %s is bad usage, exit 2', async (args, flag) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${flag} <value> is required`);
    expect(result.stderr).toMatch(/\nusage: plumbline /);
    expect(result.stdout).toBe('');
  });

  it('bare `plumbline check` is bad usage like the other commands without a subcommand', async () => {
    for (const command of ['check', 'schema', 'slo', 'generate']) {
      const result = await runCli([command]);
      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toMatch(/required[^]*usage: plumbline /);
      expect(result.stdout).toBe('');
    }
    const unknown = await runCli(['check', 'dead']);
    expect(unknown.stderr).toContain('unknown subcommand "dead"');
    expect(unknown.code).toBe(2);
  });
});
