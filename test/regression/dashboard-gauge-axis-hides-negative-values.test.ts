// Regression: every overview gauge panel set the axis minimum to 0, as the rate panels do. A
// gauge can be negative (a balance, a temperature, a clock offset): on a real Prometheus the
// panel's query read -12.5 for an account balance, below the axis the panel drew, so Grafana
// showed a flat line at 0 (a review found it). Gauges now have no minimum; rates, ratios and
// quantiles (counters and histograms take values >= 0) keep theirs.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusBaseName, prometheusCounterName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const spec: TelemetrySpec = {
  service: { name: 'ledger' },
  events: {},
  counters: { 'ledger.transfers': { description: 'Transfers booked.', attributes: ['currency'] } },
  gauges: {
    'ledger.balance': {
      description: 'Balance of the house account.',
      unit: '{EUR}',
      attributes: ['currency'],
    },
  },
};

const balance = prometheusBaseName('ledger.balance', '{EUR}');
const transfers = prometheusCounterName('ledger.transfers', undefined);

interface Panel {
  title: string;
  targets?: { expr?: string }[];
  fieldConfig?: { defaults?: { min?: number } };
}

function overviewPanel(title: string): Panel {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!;
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
    const lines = [
      `# TYPE ${balance} gauge`,
      `${balance}{currency="EUR"} -12.5`,
      `${balance}{currency="USD"} 40`,
      `# TYPE ${transfers} counter`,
      `${transfers}{currency="EUR"} ${scrapes * 10}`,
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  prometheus = await startPrometheus({
    jobs: [{ job: 'ledger', targets: [`127.0.0.1:${port}`] }],
    interval: '1s',
    exemplars: false,
  });
  // rate() needs two samples in its window.
  await waitFor(
    'three scrapes',
    async () => {
      const result = await prometheus!.query('count_over_time(up{job="ledger"}[1m])');
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

/** Per `label` value, what the panel's query reads on the real Prometheus. */
async function values(panel: Panel, label: string): Promise<Map<string, number>> {
  const result = await prometheus!.query(asGrafanaSends(panel.targets![0]!.expr!));
  if (result.resultType !== 'vector') throw new Error(`${panel.title}: ${result.resultType}`);
  return new Map(result.result.map((s) => [s.metric[label]!, Number(s.value[1])]));
}

describe('a gauge panel shows the values its query reads, negative ones too', () => {
  it('the balance by currency reads -12.5 for EUR, and the axis does not start above it', async () => {
    const panel = overviewPanel('ledger.balance by currency');
    const byCurrency = await values(panel, 'currency');
    expect([...byCurrency.entries()].sort()).toEqual([
      ['EUR', -12.5],
      ['USD', 40],
    ]);
    const min = panel.fieldConfig?.defaults?.min;
    expect(min === undefined || min <= -12.5, `axis min ${min} hides EUR's -12.5`).toBe(true);
  });

  it('a counter rate cannot be negative: its axis still starts at 0', async () => {
    const panel = overviewPanel('ledger.transfers rate by currency');
    const byCurrency = await values(panel, 'currency');
    expect(byCurrency.get('EUR')).toBeGreaterThan(0);
    expect(panel.fieldConfig?.defaults?.min).toBe(0);
  });
});
