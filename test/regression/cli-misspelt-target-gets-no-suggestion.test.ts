// Regression (session 15, a newcomer's run of the docs): a misspelt command, generate target or
// subcommand was refused with exit 2 and only `unknown target "alrts"`, while a misspelt option
// and a misspelt spec key get "did you mean". The same nearest-name rule (src/spec/suggest.ts) now
// names the one meant: `plumbline generate alrts` -> `unknown target "alrts" (did you mean
// "alerts"?)`. A name close to nothing still gets no guess.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('regression: a misspelt command, target or subcommand gets no suggestion', () => {
  it.each([
    [['genrate'], 'unknown command "genrate" (did you mean "generate"?)'],
    [['generate', 'alrts'], 'unknown target "alrts" (did you mean "alerts"?)'],
    [['generate', 'dashbords'], 'unknown target "dashbords" (did you mean "dashboards"?)'],
    [['check', 'lvie'], 'unknown subcommand "lvie" (did you mean "live"?)'],
    [['slo', 'evalute'], 'unknown subcommand "evalute" (did you mean "evaluate"?)'],
    [['schema', 'exprot'], 'unknown subcommand "exprot" (did you mean "export"?)'],
  ])('%j names the one meant, exit 2', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('guesses nothing for a name close to none', async () => {
    const result = await runCli(['generate', 'kubernetes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown target "kubernetes"\n');
  });
});
