// Regression: a counter whose unit is a time (cumulative busy seconds, CPU time) got a rate panel
// in `ops`, the unit of a count per second. Seconds per second is a ratio: a worker busy half of
// each second read "0.5 ops/s" from a counter in `s`, and "500 ops/s" from the same time counted
// in `ms` (a review found it). The rate of a time counter is now brought to seconds per second
// in the query and shown as `percentunit` (50%), whatever its time unit; counts stay `ops`.
// Checked on a real Prometheus scraping counters that grow by half a second per second.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusCounterName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

/** Busy time per second of wall time of every worker counter below: half of each second. */
const BUSY_FRACTION = 0.5;
const SECONDS_PER: Readonly<Record<string, number>> = { s: 1, ms: 1e-3, us: 1e-6, min: 60 };

const spec: TelemetrySpec = {
  service: { name: 'worker' },
  events: {},
  counters: {
    ...Object.fromEntries(
      Object.keys(SECONDS_PER).map((unit) => [
        `worker.busy.${unit}`,
        { description: `Time spent on jobs, in ${unit}.`, unit },
      ]),
    ),
    'worker.jobs': { description: 'Jobs done.', unit: '{job}' },
  },
};

const started = Date.now();

function exposition(): string {
  const elapsedSeconds = (Date.now() - started) / 1000;
  const lines: string[] = [];
  for (const [unit, seconds] of Object.entries(SECONDS_PER)) {
    const name = prometheusCounterName(`worker.busy.${unit}`, unit);
    lines.push(`# TYPE ${name} counter`, `${name} ${(elapsedSeconds * BUSY_FRACTION) / seconds}`);
  }
  const jobs = prometheusCounterName('worker.jobs', '{job}');
  lines.push(`# TYPE ${jobs} counter`, `${jobs} ${elapsedSeconds * 4}`);
  return `${lines.join('\n')}\n`;
}

interface Panel {
  title: string;
  targets?: { expr?: string }[];
  fieldConfig?: { defaults?: { unit?: string } };
}

function overviewPanel(title: string): Panel {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!;
}

/**
 * The panel's query as Grafana sends it with "All" picked, over a 10s rate interval: the scrapes
 * cover the whole window, so rate() reads the counters' slope rather than an extrapolation.
 */
function asGrafanaSends(expr: string): string {
  return expr.replaceAll('$job', '.+').replaceAll('$instance', '.+').replaceAll('$__rate_interval', '10s');
}

let server: Server | undefined;
let prometheus: PrometheusServer | undefined;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition());
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  prometheus = await startPrometheus({
    jobs: [{ job: 'worker', targets: [`127.0.0.1:${port}`] }],
    interval: '1s',
    exemplars: false,
  });
  await waitFor(
    'twelve scrapes',
    async () => {
      const result = await prometheus!.query('count_over_time(up{job="worker"}[1m])');
      return result.resultType === 'vector' && Number(result.result[0]?.value[1] ?? 0) >= 12
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

/** What the panel's query reads on the real Prometheus (one unsplit series). */
async function read(panel: Panel): Promise<number> {
  const result = await prometheus!.query(asGrafanaSends(panel.targets![0]!.expr!));
  if (result.resultType !== 'vector' || result.result.length !== 1)
    throw new Error(`${panel.title}: ${JSON.stringify(result)}`);
  return Number(result.result[0]!.value[1]);
}

describe('the rate panel of a time counter reads busy time per second of wall time', () => {
  it.each(Object.keys(SECONDS_PER))('a counter in %s reads half of each second busy', async (unit) => {
    const panel = overviewPanel(`worker.busy.${unit} rate`);
    // percentunit: Grafana shows 0.5 as 50%.
    expect(panel.fieldConfig?.defaults?.unit, panel.title).toBe('percentunit');
    expect(await read(panel)).toBeCloseTo(BUSY_FRACTION, 1);
  });

  it('a count stays a count per second (ops)', async () => {
    const panel = overviewPanel('worker.jobs rate');
    expect(panel.fieldConfig?.defaults?.unit).toBe('ops');
    expect(await read(panel)).toBeCloseTo(4, 0);
  });
});
