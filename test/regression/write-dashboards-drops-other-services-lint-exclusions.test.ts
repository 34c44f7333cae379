// Regression: `plumbline generate dashboards` keeps the .lint exclusions of the other services'
// dashboards in its --out (regression: services-sharing-an-output-dir-overwrite-shared-files),
// but the library's writeDashboards() wrote its own .lint over them: two services written into
// one directory from TypeScript left only the last one's exclusions, so dashboard-linter failed
// the first one's dashboards and its CLI --check failed. Both now pass their files through one
// merge (src/generate/dashboards/shared-files.ts): either way of generating writes the same files.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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
  dir = await mkdtemp(join(tmpdir(), 'plumbline-write-dashboards-'));
  await writeFile(specPath('orders'), service('orders', 'orders.requests'));
  await writeFile(specPath('payments'), service('payments', 'payments.messages'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Lint {
  exclusions: Record<string, { entries: { dashboard: string }[] }>;
}

async function excludedDashboards(out: string): Promise<Set<string>> {
  const lint = parse(await readFile(join(out, '.lint'), 'utf8')) as Lint;
  return new Set(Object.values(lint.exclusions).flatMap((rule) => rule.entries.map((e) => e.dashboard)));
}

describe('regression: writeDashboards drops other services lint exclusions', () => {
  it(".lint written by the library holds both services' exclusions, as the CLI's does", async () => {
    const library = join(dir, 'library');
    for (const name of ['orders', 'payments'])
      await writeDashboards(await loadSpecFile(specPath(name)), library);
    const excluded = await excludedDashboards(library);
    for (const name of ['orders', 'payments'])
      expect([...excluded].filter((title) => title.startsWith(`${name}:`)).length, name).toBeGreaterThan(0);

    const cli = join(dir, 'cli');
    for (const name of ['orders', 'payments']) {
      const result = await runCli(['generate', 'dashboards', '--spec', specPath(name), '--out', cli]);
      expect(result.code, result.stderr).toBe(0);
    }
    const files = (await readdir(library, { recursive: true })).sort();
    expect((await readdir(cli, { recursive: true })).sort()).toEqual(files);
    for (const file of files.filter((f) => f.includes('.')))
      expect(await readFile(join(library, file), 'utf8'), file).toBe(await readFile(join(cli, file), 'utf8'));

    for (const name of ['orders', 'payments']) {
      const check = await runCli([
        'generate',
        'dashboards',
        '--spec',
        specPath(name),
        '--out',
        library,
        '--check',
      ]);
      expect(check.stderr, name).toBe('');
      expect(check.code, name).toBe(0);
    }
  });
});
