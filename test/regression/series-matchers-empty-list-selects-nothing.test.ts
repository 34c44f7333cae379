// Regression (rules review): `seriesMatchers`, the extra label matchers of the SLO rules, their
// promtool tests and `evaluateLive` (from code; the CLI's --series-matcher checks its own), were
// taken as given. `{ job: [] }` wrote `job=~""`, which selects only series WITHOUT a job: the
// rules silently never fired and evaluateLive reported every SLO healthy with 0 events, while
// generatePromtoolFiles threw "Cannot read properties of undefined (reading 'replace')";
// `{ job: 'shop' }` (a string, as the flag reads) threw "values.map is not a function"; and
// `{ __name__: ['x'] }` gave rules promtool refuses ("metric name must not be set twice"). Each is
// now refused with an error naming the label (0 -> 3 refused), and `{ job: [''] }` (series
// without a job label) still works.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrometheusRules, generatePromtoolFiles } from '../../src/generate/rules/index.js';
import { evaluateLive } from '../../src/slo/evaluate-live.js';
import type { AttributeMatch, TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

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
    },
  },
} as const satisfies TelemetrySpec;

let dir: string;
let server: Server;
let url: string;
let queries = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-series-matchers-'));
  // A Prometheus query API that finds no series, whatever is asked.
  server = createServer((_request, response) => {
    queries++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const BAD: [string, unknown, RegExp][] = [
  ['an empty list', { job: [] }, /seriesMatchers\.job: expected a non-empty list/],
  ['a string for a list', { job: 'shop' }, /seriesMatchers\.job: expected a non-empty list/],
  ['the reserved __name__', { __name__: ['x'] }, /seriesMatchers: "__name__" is not a label name/],
];

describe('seriesMatchers taken as given (regression)', () => {
  for (const [name, matchers, message] of BAD) {
    it(`${name} is refused by the rules, their promtool tests and evaluateLive, naming the label`, async () => {
      const seriesMatchers = matchers as AttributeMatch;
      expect(() => generatePrometheusRules(spec, { seriesMatchers })).toThrow(message);
      expect(() => generatePromtoolFiles(spec, { seriesMatchers })).toThrow(message);
      const before = queries;
      await expect(evaluateLive(spec, url, { seriesMatchers })).rejects.toThrow(message);
      expect(queries).toBe(before);
    });
  }

  it('a listed "" (series without the label) still makes rules promtool passes', async () => {
    const seriesMatchers = { job: [''] };
    const files = generatePromtoolFiles(spec, { seriesMatchers });
    await writeFile(join(dir, 'orders.rules.yaml'), files['promtool/shop-slo/orders.rules.yaml']!);
    await writeFile(join(dir, 'orders.test.yaml'), files['promtool/shop-slo/orders.test.yaml']!);
    expect(generatePrometheusRules(spec, { seriesMatchers })).toContain('shop_requests_total{job=""}');
    await exec(peerBinary('promtool'), ['test', 'rules', 'orders.test.yaml'], { cwd: dir });
    expect((await evaluateLive(spec, url, { seriesMatchers }))[0]!.slo).toBe('orders');
  }, 120_000);
});
