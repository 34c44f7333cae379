// Regression: the overview's error-ratio panels divided `sum (rate(<bad>))` by `sum (rate(<total>))`,
// and the bad series exist only once something failed. With traffic and no errors the panel read
// "No data" instead of 0, and split by an attribute, a value without bad events vanished from the
// panel: on a real Prometheus, with `refund` succeeding and `charge` failing 1 in 10, "error ratio
// by operation" returned only {operation="charge"} 0.1, and a counter with no failure at all
// returned no series (found in an SRE trial). The numerator now falls back to the total's series
// times 0 (`rate(<bad>) or (rate(<total>) * 0)`, summed like the denominator), as the recording
// rules (`or vector(0)`) and the pipeline dashboard's fault counters do: refund reads 0, charge
// 0.1, the error-free counter 0. Checked for a counter and for a histogram's _count.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusBaseName, prometheusCounterName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const spec: TelemetrySpec = {
  service: { name: 'payments' },
  events: {},
  histograms: {
    'payments.duration': {
      description: 'Time to settle one payment operation.',
      unit: 's',
      attributes: ['operation', 'result'],
      buckets: { boundaries: [0.1, 1] },
    },
  },
  counters: {
    'payments.requests': { description: 'Payment operations.', attributes: ['operation', 'result'] },
    'payments.webhooks': { description: 'Webhooks delivered.', attributes: ['result'] },
  },
  slos: {
    'requests-availability': {
      description: 'Operations that do not fail.',
      objective: 99,
      sli: { kind: 'availability', metric: 'payments.requests', bad: { result: ['failed'] } },
    },
    'duration-availability': {
      description: 'Operations that do not fail, from the histogram.',
      objective: 99,
      sli: { kind: 'availability', metric: 'payments.duration', bad: { result: ['failed'] } },
    },
    'webhooks-availability': {
      description: 'Webhooks delivered.',
      objective: 99,
      sli: { kind: 'availability', metric: 'payments.webhooks', bad: { result: ['failed'] } },
    },
  },
};

const requests = prometheusCounterName('payments.requests', undefined);
const webhooks = prometheusCounterName('payments.webhooks', undefined);
const duration = prometheusBaseName('payments.duration', 's');

// Per scrape: charge 9 ok + 1 failed, refund 10 ok, webhooks 10 ok and never a failure.
const PER_SCRAPE: readonly { operation: string; result: string; count: number }[] = [
  { operation: 'charge', result: 'ok', count: 9 },
  { operation: 'charge', result: 'failed', count: 1 },
  { operation: 'refund', result: 'ok', count: 10 },
];

function exposition(scrape: number): string {
  const lines = [`# TYPE ${requests} counter`];
  for (const { operation, result, count } of PER_SCRAPE)
    lines.push(`${requests}{operation="${operation}",result="${result}"} ${scrape * count}`);
  lines.push(`# TYPE ${webhooks} counter`, `${webhooks}{result="ok"} ${scrape * 10}`);
  lines.push(`# TYPE ${duration} histogram`);
  for (const { operation, result, count } of PER_SCRAPE) {
    const labels = `operation="${operation}",result="${result}"`;
    for (const le of ['0.1', '1.0', '+Inf'])
      lines.push(`${duration}_bucket{${labels},le="${le}"} ${scrape * count}`);
    lines.push(
      `${duration}_sum{${labels}} ${scrape * count * 0.05}`,
      `${duration}_count{${labels}} ${scrape * count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Panel {
  title: string;
  targets?: { expr?: string }[];
}

function overviewPanel(title: string): string {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!.targets![0]!.expr!;
}

/** The panel's query as Grafana sends it with "All" picked and a 1m rate interval. */
function asGrafanaSends(expr: string): string {
  return expr.replaceAll('$job', '.+').replaceAll('$instance', '.+').replaceAll('$__rate_interval', '1m');
}

let server: Server | undefined;
let prometheus: PrometheusServer | undefined;
let scrapes = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    scrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(scrapes));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  prometheus = await startPrometheus({
    jobs: [{ job: 'payments', targets: [`127.0.0.1:${port}`] }],
    interval: '1s',
    exemplars: false,
  });
  // rate() needs two samples in its window.
  await waitFor(
    'three scrapes',
    async () => {
      const result = await prometheus!.query('count_over_time(up{job="payments"}[1m])');
      return result.resultType === 'vector' && Number(result.result[0]?.value[1] ?? 0) >= 3
        ? true
        : undefined;
    },
    30_000,
  );
}, 120_000);
afterAll(async () => {
  await prometheus?.stop();
  await new Promise((done) => (server === undefined ? done(undefined) : server.close(done)));
});

/** Value per `label` of the panel's query on the real Prometheus ('' for an unsplit panel). */
async function ratios(title: string, label?: string): Promise<Map<string, number>> {
  const result = await prometheus!.query(asGrafanaSends(overviewPanel(title)));
  if (result.resultType !== 'vector') throw new Error(`${title}: ${result.resultType}`);
  return new Map(result.result.map((s) => [label === undefined ? '' : s.metric[label]!, Number(s.value[1])]));
}

describe('error-ratio panels read 0 where traffic has no errors', () => {
  it.each([
    ['a counter', 'payments.requests error ratio by operation'],
    ['a histogram (its _count)', 'payments.duration error ratio by operation'],
  ])('%s split by operation: refund (no failures) reads 0, charge its ratio', async (_what, title) => {
    const byOperation = await ratios(title, 'operation');
    expect([...byOperation.keys()].sort(), `${title}: ${JSON.stringify([...byOperation])}`).toEqual([
      'charge',
      'refund',
    ]);
    expect(byOperation.get('refund')).toBe(0);
    expect(byOperation.get('charge')).toBeCloseTo(0.1, 5);
  });

  it('an unsplit ratio with no failure at all reads 0, not "No data"', async () => {
    const all = await ratios('payments.webhooks error ratio');
    expect([...all.entries()]).toEqual([['', 0]]);
  });

  it('without traffic the ratio stays empty (0/0), not a made-up 0', async () => {
    // A selector matching nothing: the fallback is the total's series, so no total, no 0.
    const expr = asGrafanaSends(overviewPanel('payments.webhooks error ratio')).replaceAll(
      'job=~".+"',
      'job="elsewhere"',
    );
    const result = await prometheus!.query(expr);
    expect(result.resultType === 'vector' ? result.result : ['not a vector']).toEqual([]);
  });
});
