// Regression: a gauge whose unit says nothing about how instances combine (a temperature in
// `Cel`, free space in `{slot}`) was summed over instances by the overview's panel: two machines
// at 40 °C and 60 °C read 100 °C, and the spec had no way to say otherwise. A gauge's
// `acrossInstances` (`sum`, `avg`, `max`, `min`) now says it, and wins over the unit. Checked on
// a real Prometheus scraping two instances of one job, unsplit and split.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusBaseName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { specIssues } from '../../src/spec/validate.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const spec: TelemetrySpec = {
  service: { name: 'racks' },
  events: {},
  gauges: {
    'rack.temperature': { description: 'Inlet temperature.', unit: 'Cel', acrossInstances: 'avg' },
    'rack.fan.speed': {
      description: 'Fan speed per fan.',
      unit: 'Hz',
      attributes: ['fan'],
      acrossInstances: 'max',
    },
    'rack.free.slots': { description: 'Free slots left.', unit: '{slot}', acrossInstances: 'min' },
    // A ratio told to add up: the field wins over the unit.
    'rack.load.share': { description: 'Share of the fleet load.', unit: '1', acrossInstances: 'sum' },
    // Unset and in a unit the generator does not know: summed, as before.
    'rack.power': { description: 'Power drawn.', unit: 'W' },
  },
};

const temperature = prometheusBaseName('rack.temperature', 'Cel');
const fan = prometheusBaseName('rack.fan.speed', 'Hz');
const free = prometheusBaseName('rack.free.slots', '{slot}');
const share = prometheusBaseName('rack.load.share', '1');
const power = prometheusBaseName('rack.power', 'W');

/** What each of the two instances exposes. */
const INSTANCES = [
  { temperature: 40, fanA: 50, fanB: 70, free: 3, share: 0.25, power: 300 },
  { temperature: 60, fanA: 90, fanB: 20, free: 8, share: 0.75, power: 500 },
] as const;

function exposition(values: (typeof INSTANCES)[number]): string {
  return [
    `# TYPE ${temperature} gauge`,
    `${temperature} ${values.temperature}`,
    `# TYPE ${fan} gauge`,
    `${fan}{fan="a"} ${values.fanA}`,
    `${fan}{fan="b"} ${values.fanB}`,
    `# TYPE ${free} gauge`,
    `${free} ${values.free}`,
    `# TYPE ${share} gauge`,
    `${share} ${values.share}`,
    `# TYPE ${power} gauge`,
    `${power} ${values.power}`,
    '',
  ].join('\n');
}

interface Panel {
  title: string;
  description?: string;
  targets?: { expr?: string }[];
}

function overviewPanel(title: string): Panel {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!;
}

function overviewQuery(title: string): string {
  // As Grafana sends it with "All" picked.
  return overviewPanel(title).targets![0]!.expr!.replaceAll('$job', '.+').replaceAll('$instance', '.+');
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
  prometheus = await startPrometheus({ jobs: [{ job: 'racks', targets }], interval: '1s', exemplars: false });
  await waitFor(
    'both instances scraped',
    async () => {
      const result = await prometheus!.query(`count(${power}{job="racks"})`);
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

describe('regression: dashboard gauge of unknown unit summed across instances', () => {
  it('the spec accepts acrossInstances on gauges and refuses another value, naming the field', () => {
    expect(specIssues(spec)).toEqual([]);
    const wrong = {
      ...spec,
      gauges: { 'rack.power': { description: 'Power drawn.', unit: 'W', acrossInstances: 'median' } },
    } as unknown as TelemetrySpec;
    const issues = specIssues(wrong);
    expect(issues.map((issue) => issue.path)).toEqual(['gauges["rack.power"].acrossInstances']);
  });

  it('a temperature with acrossInstances avg reads 50 °C, not 100 °C', async () => {
    expect(await panelValues('rack.temperature')).toEqual({ '': 50 });
    expect(overviewPanel('rack.temperature').description).toContain('Averaged over instances');
  });

  it('split by an attribute, max shows the highest instance of each series', async () => {
    expect(await panelValues('rack.fan.speed by fan', 'fan')).toEqual({ a: 90, b: 70 });
  });

  it('min shows the lowest instance', async () => {
    expect(await panelValues('rack.free.slots')).toEqual({ '': 3 });
  });

  it('the field wins over the unit: a ratio told to add up is summed', async () => {
    expect(await panelValues('rack.load.share')).toEqual({ '': 1 });
  });

  it('unset, a unit the generator does not know is still summed', async () => {
    expect(await panelValues('rack.power')).toEqual({ '': 800 });
  });
});
