// `otelcol validate` on every shipped collector config, with the real plumbline distribution.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { collectorSpec } from '../fixtures/collector-spec.js';
import { collectorBinary } from '../support/collector.js';

const run = promisify(execFile);

/** The collector configs among the generator's files (the rest is the builder config). */
const CONFIGS = ['agent.yaml', 'gateway.yaml', 'single.yaml'] as const;

async function validate(binary: string, path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary, ['validate', `--config=file:${path}`], {
      env: { PATH: process.env['PATH'] ?? '' },
    });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('otelcol validate', () => {
  let binary: string;
  let dir: string;
  beforeAll(async () => {
    binary = await collectorBinary();
    dir = await mkdtemp(join(tmpdir(), 'plumbline-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['agent.yaml', 'gateway.yaml', 'single.yaml'])(
    'accepts the committed collector/%s (env defaults)',
    async (name) => {
      const result = await validate(binary, join('collector', name));
      expect(result.ok, result.output).toBe(true);
    },
  );

  it('accepts the variants the generator can write (dns resolver, no TLS by option or spec, file backend, no sampling section)', async () => {
    const variants = {
      dns: generateCollectorConfigs(collectorSpec, { resolver: 'dns' }),
      plain: generateCollectorConfigs(collectorSpec, { tls: false, traceBackend: 'file', gatewayCount: 5 }),
      unsampled: generateCollectorConfigs({ ...collectorSpec, sampling: undefined }),
      specOptOut: generateCollectorConfigs({ ...collectorSpec, collector: { tls: false } }),
    };
    for (const [variant, files] of Object.entries(variants)) {
      for (const name of CONFIGS) {
        const path = join(dir, `${variant}-${name}`);
        await writeFile(path, files[name]);
        const result = await validate(binary, path);
        expect(result.ok, `${variant}/${name}: ${result.output}`).toBe(true);
      }
    }
  });

  it('the distribution has exactly the components the generated configs can use', async () => {
    const sections = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
    const used = new Set<string>();
    const variants = [
      generateCollectorConfigs(collectorSpec),
      generateCollectorConfigs(collectorSpec, { resolver: 'dns', tls: false, traceBackend: 'file' }),
    ];
    for (const files of variants) {
      for (const name of CONFIGS) {
        const config = parse(files[name]) as Partial<
          Record<(typeof sections)[number], Record<string, unknown>>
        >;
        for (const section of sections) {
          for (const id of Object.keys(config[section] ?? {})) used.add(`${section}/${id.split('/')[0]}`);
        }
      }
    }
    const { stdout } = await run(binary, ['components']);
    const listed = parse(stdout) as Record<string, Array<{ name: string; module: string }> | undefined>;
    const built = new Set(
      sections.flatMap((section) =>
        (listed[section] ?? []).map((component) => `${section}/${component.name}`),
      ),
    );
    expect([...built].sort()).toEqual([...used].sort());
    // ...built from the modules of the builder config the generator writes (and users build).
    const recipe = parse(generateCollectorConfigs(collectorSpec)['builder-config.yaml']) as Record<
      string,
      Array<{ gomod: string }> | undefined
    >;
    for (const section of sections) {
      const modules = (listed[section] ?? []).map((component) => component.module).sort();
      expect(modules, section).toEqual((recipe[section] ?? []).map((entry) => entry.gomod).sort());
    }
  });

  it('rejects a config the collector does not understand (so the checks above mean something)', async () => {
    const text = generateCollectorConfigs(collectorSpec)['gateway.yaml'].replace(
      'sample_on_first_match: true',
      'sample_on_first_matchh: true',
    );
    const path = join(dir, 'broken.yaml');
    await writeFile(path, text);
    const result = await validate(binary, path);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('sample_on_first_matchh');
  });
});
