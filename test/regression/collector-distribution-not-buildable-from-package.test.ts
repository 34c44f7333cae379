// Regression: the generated collector configs need a custom collector build (tail_sampling,
// load_balancing, span_metrics ...), whose builder config lived only in this repo
// (collector/builder-config.yaml, built by scripts/build-collector.sh); neither ships in the npm
// package, so a user of the package had configs and no way to build the collector that runs them.
// `plumbline generate collector` now writes builder-config.yaml beside the configs, and
// docs/collector.md says how to build it with the builder.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';

const BLUEPRINT = 'examples/blueprint/telemetry.ts';
const SECTIONS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
type Section = (typeof SECTIONS)[number];

/** The Go package a component type lives in by the collector's naming (otlp_grpc is otlpexporter's). */
function expectedPackage(section: Section, type: string): string {
  if (section === 'exporters' && type === 'otlp_grpc') return 'otlpexporter';
  return `${type.replaceAll('_', '')}${section.slice(0, -1)}`;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-distribution-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `plumbline generate collector` into a fresh directory: file name → text. */
async function generate(...flags: string[]): Promise<Record<string, string>> {
  const out = await mkdtemp(join(dir, 'out-'));
  let stderr = '';
  const code = await main(['generate', 'collector', '--spec', BLUEPRINT, ...flags, '--out', out], {
    stdout: () => {},
    stderr: (text) => (stderr += text),
  });
  expect(code, stderr).toBe(0);
  const files: Record<string, string> = {};
  for (const name of await readdir(out)) files[name] = await readFile(join(out, name), 'utf8');
  return files;
}

describe('generate collector writes the distribution its configs need', () => {
  it('builder-config.yaml lists a module for every component agent, gateway and single use', async () => {
    const variants = [
      await generate(),
      await generate('--resolver', 'dns', '--no-tls', '--trace-backend', 'file'),
    ];
    for (const files of variants) {
      expect(Object.keys(files)).toContain('builder-config.yaml');
      const builder = parse(files['builder-config.yaml']!) as Partial<
        Record<Section, Array<{ gomod: string }>>
      >;
      const modules = new Map<Section, string[]>(
        SECTIONS.map((section) => [section, (builder[section] ?? []).map((entry) => entry.gomod)]),
      );
      const missing: string[] = [];
      let used = 0;
      for (const name of ['agent.yaml', 'gateway.yaml', 'single.yaml']) {
        const config = parse(files[name]!) as Partial<Record<Section, Record<string, unknown>>>;
        for (const section of SECTIONS) {
          for (const id of Object.keys(config[section] ?? {})) {
            used += 1;
            const type = id.split('/')[0]!;
            const wanted = expectedPackage(section, type);
            const found = modules.get(section)!.some((gomod) => gomod.split(' ')[0]!.endsWith(`/${wanted}`));
            if (!found) missing.push(`${name}: ${section}/${type} (${wanted})`);
          }
        }
      }
      expect(used).toBeGreaterThan(10);
      expect(missing).toEqual([]);
    }
  });

  it('the builder config is the same whatever the options, and builds with the builder the docs name', async () => {
    const [plain, other] = [await generate(), await generate('--gateways', '5', '--trace-backend', 'file')];
    expect(other['builder-config.yaml']).toBe(plain['builder-config.yaml']);
    const builder = parse(plain['builder-config.yaml']!) as {
      dist: { name: string; output_path: string };
    } & Record<Section, Array<{ gomod: string }>>;
    expect(builder.dist.name).toBe('otelcol-plumbline');
    expect(builder.dist.output_path).toBeTruthy();
    // The builder version the repo builds with is the one the docs tell a user to run, and
    // every module is of that collector release.
    const script = await readFile('scripts/build-collector.sh', 'utf8');
    const version = /^BUILDER_VERSION="(v[\d.]+)"$/m.exec(script)?.[1];
    expect(version).toBeDefined();
    for (const section of SECTIONS)
      for (const { gomod } of builder[section]) expect(gomod.split(' ')[1], gomod).toBe(version);
    const docs = await readFile('docs/collector.md', 'utf8');
    expect(docs).toContain(
      `go run go.opentelemetry.io/collector/cmd/builder@${version} --config collector/builder-config.yaml`,
    );
  });
});
