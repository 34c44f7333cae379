// Regression: services generated into one --out share dashboards/provisioning/ (one Prometheus
// and one Tempo datasource, one dashboard provider) and alerts/pipeline.rules.yaml (the same
// rules for all, with their runbook links). docs/cli.md asks for the same --prometheus-url,
// --tempo-url and --runbook-base for all of them, but a service given others rewrote the shared
// file: the last one generated decided where every service's Grafana reads its data and where
// every pipeline alert links, and the other service's --check then failed on a file it had not
// changed. A different value is now refused naming the file and both values (exit 1, nothing
// written), from the CLI and from writeDashboards; the same values pass, and a service alone in
// its directory still changes them freely.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDashboards } from '../../src/generate/dashboards/render.js';
import { loadSpecFile } from '../../src/spec/load.js';
import { runCli } from '../support/cli.js';

const service = (name: string, metric: string) => `service:
  name: ${name}
events: {}
counters:
  ${metric}: { description: Requests handled., attributes: [outcome] }
slos:
  avail:
    description: Requests succeed.
    objective: 99.9
    sli: { kind: availability, metric: ${metric}, bad: { outcome: [failed] } }
`;

let dir: string;
const specPath = (name: string) => join(dir, `${name}.yaml`);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-shared-settings-'));
  await writeFile(specPath('orders'), service('orders', 'orders.requests'));
  await writeFile(specPath('payments'), service('payments', 'payments.messages'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const generate = (target: string, name: string, out: string, ...flags: string[]) =>
  runCli(['generate', target, '--spec', specPath(name), '--out', out, ...flags]);

/** Every file under a directory with its text. */
async function snapshot(out: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[path] = await readFile(path, 'utf8');
    }
  return files;
}

describe('regression: services sharing an output dir disagree on shared settings', () => {
  it.each([
    ['--prometheus-url', 'prometheusUrl', 'provisioning/datasources/plumbline.yaml'],
    ['--tempo-url', 'tempoUrl', 'provisioning/datasources/plumbline.yaml'],
  ])('dashboards: another %s is refused naming the file and both values', async (flag, option, file) => {
    const out = join(dir, `dashboards${flag}`);
    const first = await generate('dashboards', 'orders', out, flag, 'http://monitoring-a:9000');
    expect(first.code, first.stderr).toBe(0);
    const before = await snapshot(out);

    const second = await generate('dashboards', 'payments', out, flag, 'http://monitoring-b:9000');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(join(out, file));
    expect(second.stderr).toContain(`${option} (${flag})`);
    expect(second.stderr).toContain(
      '"http://monitoring-a:9000" there and "http://monitoring-b:9000" in this run',
    );
    expect(second.stdout).toBe('');
    expect(await snapshot(out)).toEqual(before);

    // Without the flag, the default differs as much.
    expect((await generate('dashboards', 'payments', out)).code).toBe(1);
    // The library refuses the same way.
    await expect(
      writeDashboards(await loadSpecFile(specPath('payments')), out, {
        [option]: 'http://monitoring-b:9000',
      }),
    ).rejects.toThrow(`${option} (${flag}) is "http://monitoring-a:9000" there`);
    expect(await snapshot(out)).toEqual(before);

    // The same value passes, and both services' --check then pass.
    expect((await generate('dashboards', 'payments', out, flag, 'http://monitoring-a:9000')).code).toBe(0);
    for (const name of ['orders', 'payments']) {
      const check = await generate('dashboards', name, out, flag, 'http://monitoring-a:9000', '--check');
      expect(check.stderr, name).toBe('');
      expect(check.code, name).toBe(0);
    }
  });

  it('dashboards: a service alone in its directory changes its URLs freely', async () => {
    const out = join(dir, 'dashboards-alone');
    expect((await generate('dashboards', 'orders', out, '--prometheus-url', 'http://a:9090')).code).toBe(0);
    expect((await generate('dashboards', 'orders', out, '--prometheus-url', 'http://b:9090')).code).toBe(0);
    expect(await readFile(join(out, 'provisioning/datasources/plumbline.yaml'), 'utf8')).toContain(
      'url: http://b:9090',
    );
  });

  it('alerts: another --runbook-base is refused naming pipeline.rules.yaml and both values', async () => {
    const out = join(dir, 'alerts');
    const first = await generate(
      'alerts',
      'orders',
      out,
      '--runbook-base',
      'https://wiki.example.com/orders/',
    );
    expect(first.code, first.stderr).toBe(0);
    const before = await snapshot(out);

    for (const flags of [['--runbook-base', 'https://wiki.example.com/payments/'], []]) {
      const second = await generate('alerts', 'payments', out, ...flags);
      expect(second.code, flags.join(' ')).toBe(1);
      expect(second.stderr).toContain(join(out, 'pipeline.rules.yaml'));
      expect(second.stderr).toContain('generated with --runbook-base "https://wiki.example.com/orders/"');
      expect(second.stderr).toContain(
        flags.length === 0
          ? 'no --runbook-base (relative links)'
          : '--runbook-base "https://wiki.example.com/payments/"',
      );
      expect(second.stderr).toContain('The rules of orders are in');
      expect(second.stdout).toBe('');
      expect(await snapshot(out)).toEqual(before);
    }

    const same = await generate(
      'alerts',
      'payments',
      out,
      '--runbook-base',
      'https://wiki.example.com/orders/',
    );
    expect(same.code, same.stderr).toBe(0);
    for (const name of ['orders', 'payments']) {
      const check = await generate(
        'alerts',
        name,
        out,
        '--runbook-base',
        'https://wiki.example.com/orders/',
        '--check',
      );
      expect(check.stderr, name).toBe('');
      expect(check.code, name).toBe(0);
    }
  });
});
