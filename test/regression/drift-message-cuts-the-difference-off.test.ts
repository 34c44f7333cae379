// Regression: a drift message showed both versions of a long line cut at its first 100
// characters, so a change past them read the same twice: an SRE raised an SLO's objective from
// 99.5 to 99.9 and `generate alerts --check` said `differs at line 215: committed
// "…rate1h{…} > (14.4 * 0…", generated "…rate1h{…} > (14.4 * 0…"`. A long line is now shown as
// the same window of both, starting a little before the first different character. Real parts:
// the CLI as a process, a JSON spec on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

function spec(objective: number) {
  return {
    service: { name: 'orders' },
    events: {},
    counters: { 'http.server.requests': { description: 'Requests.', attributes: ['outcome'] } },
    slos: {
      'orders-availability': {
        description: 'Orders succeed',
        objective,
        sli: { kind: 'availability', metric: 'http.server.requests', bad: { outcome: ['error'] } },
      },
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drift-window-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('drift-message-cuts-the-difference-off: a change past 100 characters shows in both versions', async () => {
  const specPath = join(dir, 'telemetry.json');
  await writeFile(specPath, JSON.stringify(spec(99.5)));
  const out = join(dir, 'alerts');
  expect((await runCli(['generate', 'alerts', '--spec', specPath, '--out', out])).code).toBe(0);
  await writeFile(specPath, JSON.stringify(spec(99.9)));
  const check = await runCli(['generate', 'alerts', '--spec', specPath, '--out', out, '--check']);
  expect(check.code).toBe(1);
  const message = /differs at line \d+: committed (.*), generated (.*)$/m.exec(check.stderr);
  expect(message, check.stderr).not.toBeNull();
  const [, committed, generated] = message!;
  expect(committed).not.toBe(generated);
  // The budget each version was generated with, 1 - objective: 0.005 then 0.001.
  expect(committed).toMatch(/0\.005/);
  expect(generated).toMatch(/0\.001/);
});
