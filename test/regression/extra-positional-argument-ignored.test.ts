// Regression: `schema export`, `check live` and `slo evaluate` ignored words that are no flag
// and no flag's value: `plumbline check live --spec s.ts --metrics URL json` (a typo'd --json)
// ran the check and printed the table, `schema export --spec s.ts out.json` wrote to stdout.
// Every command refuses them now as bad usage (exit 2) naming the word, with the flag it
// resembles. Real parts: the CLI.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';
const NOWHERE = 'http://127.0.0.1:1';

describe('regression: extra positional argument ignored', () => {
  it.each([
    [['schema', 'export', '--spec', SPEC, 'out.json'], 'out.json', ''],
    [['schema', 'export', 'spec', SPEC], 'spec', ' (did you mean --spec?)'],
    [
      ['check', 'live', '--spec', SPEC, '--metrics', `${NOWHERE}/metrics`, '--duration', '200ms', 'json'],
      'json',
      ' (did you mean --json?)',
    ],
    [['slo', 'evaluate', '--spec', SPEC, '--prometheus', NOWHERE, 'jsno'], 'jsno', ' (did you mean --json?)'],
    [['slo', 'evaluate', '--json', 'extra', '--spec', SPEC, '--prometheus', NOWHERE], 'extra', ''],
    [['generate', 'alerts', '--spec', SPEC, '--check', 'alerts'], 'alerts', ''],
  ])('%j is bad usage naming %s', async (args, word, hint) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`unexpected argument "${word}"${hint}\n`);
    expect(result.stderr).toMatch(/\nusage: plumbline /);
    expect(result.stdout).toBe('');
  });

  it("a lone - that is no flag's value is refused too", async () => {
    const result = await runCli(['schema', 'export', '--spec', SPEC, '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unexpected argument "-"');
    const stdout = await runCli(['schema', 'export', '--spec', SPEC]);
    expect(stdout.code, stdout.stderr).toBe(0);
  });
});
