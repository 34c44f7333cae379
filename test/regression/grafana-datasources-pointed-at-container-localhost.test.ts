// Regression: the generated Grafana provisioning named http://localhost:9090 and
// http://localhost:3200 as its datasources, wrong inside the `docker run grafana/grafana`
// container docs/dashboards.md showed, and only renderDashboards' options could change them (an
// SRE trial). `plumbline generate dashboards` now takes --prometheus-url and --tempo-url.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'examples/blueprint/telemetry.ts';

const run = runCli;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-datasources-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Grafana datasources pointed at the container’s localhost (regression)', () => {
  it('writes the URLs given on the command line into the provisioned datasources', async () => {
    const out = join(dir, 'dashboards');
    const result = await run([
      'generate',
      'dashboards',
      '--spec',
      SPEC,
      '--out',
      out,
      '--prometheus-url',
      'http://prometheus.monitoring:9090',
      '--tempo-url',
      'http://tempo.monitoring:3200',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const datasources = await readFile(join(out, 'provisioning', 'datasources', 'plumbline.yaml'), 'utf8');
    expect(datasources).toContain('url: http://prometheus.monitoring:9090');
    expect(datasources).toContain('url: http://tempo.monitoring:3200');
    expect(datasources).not.toContain('localhost');
  });

  it('refuses a URL that is not http(s), naming it', async () => {
    const result = await run([
      'generate',
      'dashboards',
      '--spec',
      SPEC,
      '--out',
      join(dir, 'x'),
      '--prometheus-url',
      'prometheus:9090',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/prometheusUrl/);
  });
});
