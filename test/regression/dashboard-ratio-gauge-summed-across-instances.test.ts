// Regression: the overview's gauge panels summed every gauge over instances. A gauge in the unit
// `1` (a utilization, a keep probability: shown as a percentage) is a share of each instance's own
// total, so with two replicas at 60% and 80% the panel read 140%; a gauge in a time unit (an
// event-loop delay p99, a lag) read the two instances' delays added, a delay none of them had.
// Ratios are now averaged over instances (70%), times show the highest instance; counts stay
// summed. Checked on a real Prometheus scraping two instances of one job, unsplit and split.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusBaseName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const spec: TelemetrySpec = {
  service: { name: 'workers' },
  events: {},
  gauges: {
    'worker.utilization': { description: 'Busy share of the worker pool.', unit: '1' },
    'worker.pool.utilization': {
      description: 'Busy share of each worker pool.',
      unit: '1',
      attributes: ['pool'],
    },
    'nodejs.eventloop.delay.p99': { description: 'Event-loop delay, 99th percentile.', unit: 's' },
    'worker.queue.depth': { description: 'Jobs waiting.', unit: '{job}' },
  },
};

const utilization = prometheusBaseName('worker.utilization', '1');
const poolUtilization = prometheusBaseName('worker.pool.utilization', '1');
const delay = prometheusBaseName('nodejs.eventloop.delay.p99', 's');
const depth = prometheusBaseName('worker.queue.depth', '{job}');

/** What each of the two instances exposes. */
const INSTANCES = [
  { utilization: 0.6, fast: 0.5, slow: 0.9, delay: 0.05, depth: 3 },
  { utilization: 0.8, fast: 0.3, slow: 0.7, delay: 0.03, depth: 4 },
] as const;

function exposition(values: (typeof INSTANCES)[number]): string {
  return [
    `# TYPE ${utilization} gauge`,
    `${utilization} ${values.utilization}`,
    `# TYPE ${poolUtilization} gauge`,
    `${poolUtilization}{pool="fast"} ${values.fast}`,
    `${poolUtilization}{pool="slow"} ${values.slow}`,
    `# TYPE ${delay} gauge`,
    `${delay} ${values.delay}`,
    `# TYPE ${depth} gauge`,
    `${depth} ${values.depth}`,
    '',
  ].join('\n');
}

interface Panel {
  title: string;
  targets?: { expr?: string }[];
}

function overviewQuery(title: string): string {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  // As Grafana sends it with "All" picked.
  return panel!.targets![0]!.expr!.replaceAll('$job', '.+').replaceAll('$instance', '.+');
}

const servers: Server[] = [];
let prometheus: PrometheusServer | undefined;
beforeAll(async () => {
  const targets: string[] = [];
  for (const values of INSTANCES) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(values));
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    targets.push(`127.0.0.1:${(server.address() as { port: number }).port}`);
  }
  prometheus = await startPrometheus({
    jobs: [{ job: 'workers', targets }],
    interval: '1s',
    exemplars: false,
  });
  await waitFor(
    'both instances scraped',
    async () => {
      const result = await prometheus!.query(`count(${depth}{job="workers"})`);
      return result.resultType === 'vector' && Number(result.result[0]?.value[1] ?? 0) === 2
        ? true
        : undefined;
    },
    30_000,
  );
}, 120_000);
afterAll(async () => {
  await prometheus?.stop();
  for (const server of servers) await new Promise((done) => server.close(done));
});

/** The panel's value per `label` on the real Prometheus ('' for an unsplit panel). */
async function panelValues(title: string, label?: string): Promise<Record<string, number>> {
  const result = await prometheus!.query(overviewQuery(title));
  if (result.resultType !== 'vector') throw new Error(`${title}: ${result.resultType}`);
  return Object.fromEntries(
    result.result.map((s) => [label === undefined ? '' : s.metric[label]!, Number(s.value[1])]),
  );
}

describe('regression: dashboard ratio gauge summed across instances', () => {
  it('a ratio gauge reads the average of the instances (70%), not their sum (140%)', async () => {
    const values = await panelValues('worker.utilization');
    expect(Object.keys(values)).toEqual(['']);
    expect(values['']).toBeCloseTo(0.7, 9);
  });

  it('split by an attribute, each value is the average of its series over the instances', async () => {
    const values = await panelValues('worker.pool.utilization by pool', 'pool');
    expect(Object.keys(values).sort()).toEqual(['fast', 'slow']);
    expect(values.fast).toBeCloseTo(0.4, 9);
    expect(values.slow).toBeCloseTo(0.8, 9);
  });

  it('a time gauge reads the slowest instance (50 ms), not the delays added (80 ms)', async () => {
    const values = await panelValues('nodejs.eventloop.delay.p99');
    expect(values['']).toBeCloseTo(0.05, 9);
  });

  it('a count still adds up over the instances', async () => {
    expect(await panelValues('worker.queue.depth')).toEqual({ '': 7 });
  });
});
