// The generated alerts/alertmanager.yml in a real Alertmanager (0.35, scripts/peer.sh alertmanager): pages and tickets
// reach their own receivers, and a faster burn-rate tier of an SLO silences its slower tiers.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { peerBinary } from '../support/peers.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';

const ALERTMANAGER = peerBinary('alertmanager');

interface Delivered {
  readonly receiver: string;
  readonly labels: Record<string, string>;
}

let dir: string;
let alertmanager: RunningProcess | undefined;
let webhook: Server | undefined;
let url: string;
const delivered: Delivered[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-alertmanager-'));
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const payload = JSON.parse(body) as { receiver: string; alerts: { labels: Record<string, string> }[] };
      for (const alert of payload.alerts)
        delivered.push({ receiver: payload.receiver, labels: alert.labels });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
  const webhookPort = (webhook.address() as { port: number }).port;

  // The committed file, with a webhook on each receiver and short waits for the test.
  const config = parse(await readFile('alerts/alertmanager.yml', 'utf8')) as {
    route: Record<string, unknown>;
    receivers: { name: string; webhook_configs?: unknown[] }[];
  };
  config.route.group_wait = '1s';
  config.route.group_interval = '1s';
  for (const receiver of config.receivers) {
    receiver.webhook_configs = [
      { url: `http://127.0.0.1:${webhookPort}/${receiver.name}`, send_resolved: false },
    ];
  }
  const configPath = join(dir, 'alertmanager.yml');
  await writeFile(configPath, stringify(config));

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  alertmanager = startProcess(ALERTMANAGER, [
    `--config.file=${configPath}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ]);
  await waitFor(`Alertmanager to be ready (${alertmanager.output().slice(-300)})`, async () =>
    (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined,
  );
});

afterAll(async () => {
  await alertmanager?.stop();
  await new Promise((resolve) => webhook?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function burn(slo: string, tier: string, severity: string) {
  return {
    labels: { alertname: 'SLOErrorBudgetBurn', service: 'blueprint', slo, tier, severity },
    annotations: { summary: `${slo} ${tier}` },
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
  };
}

describe('the generated Alertmanager configuration', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await promisify(execFile)(peerBinary('amtool'), [
      'check-config',
      'alerts/alertmanager.yml',
    ]);
    expect(stdout).toMatch(/SUCCESS/);
    // amtool read every inhibit rule the file has (one per slower tier of each SLO).
    const { inhibit_rules: inhibitRules } = parse(await readFile('alerts/alertmanager.yml', 'utf8')) as {
      inhibit_rules: unknown[];
    };
    expect(inhibitRules.length).toBeGreaterThanOrEqual(6);
    expect(stdout).toContain(`${inhibitRules.length} inhibit rules`);
  });

  it('routes pages and tickets apart, and a faster tier of an SLO inhibits its slower tiers', async () => {
    const response = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        burn('latency', 'page-slow', 'page'),
        burn('latency', 'ticket-fast', 'ticket'), // slower than page-slow: inhibited
        burn('availability', 'ticket-slow', 'ticket'), // another SLO: not inhibited
      ]),
    });
    expect(response.ok).toBe(true);

    await waitFor('both receivers to be called', () =>
      delivered.some((d) => d.receiver === 'page') && delivered.some((d) => d.receiver === 'ticket')
        ? true
        : undefined,
    );
    // One more group interval, so an alert wrongly let through would have arrived too.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const seen = delivered.map((d) => `${d.receiver}:${d.labels.slo}/${d.labels.tier}`).sort();
    expect([...new Set(seen)]).toEqual(['page:latency/page-slow', 'ticket:availability/ticket-slow']);

    const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
    const inhibited = alerts.find((a) => a.labels.slo === 'latency' && a.labels.tier === 'ticket-fast')!;
    expect(inhibited.status.state).toBe('suppressed');
    expect(inhibited.status.inhibitedBy).toHaveLength(1);
    const free = alerts.find((a) => a.labels.slo === 'availability')!;
    expect(free.status.state).toBe('active');
  });
});
