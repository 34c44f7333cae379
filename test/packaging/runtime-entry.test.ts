// The runtime entry loads no build-time code: a fresh process imports the installed package and
// records every module it resolves (ESM loader hook) and every CommonJS module it loads.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, runNode } from './packed.js';

/** Modules only build-time code needs: generators, the CLI, the Grafana SDK, the YAML parser. */
const BUILD_TIME = [
  /\/node_modules\/@grafana\/grafana-foundation-sdk\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/plumbline\/dist\/(cjs\/)?generate\//,
  /\/node_modules\/plumbline\/dist\/(cjs\/)?cli\//,
];

/** Loaded once used, not at import: ajv's compiler, the OTLP exporters, sdk-logs and pino (issue 22). */
const ON_USE = [
  /\/node_modules\/ajv\/dist\/(ajv|core)\.js$/,
  /\/node_modules\/@opentelemetry\/exporter-trace-otlp-http\//,
  /\/node_modules\/@opentelemetry\/exporter-logs-otlp-http\//,
  /\/node_modules\/@opentelemetry\/sdk-logs\//,
  /\/node_modules\/pino\/pino\.js$/,
];

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LOAD_LOG, result.url + '\\n');
  return result;
}
`;
const REGISTER = `import { register } from 'node:module';
register('./load-hooks.mjs', import.meta.url);
`;
const ESM_PROBE = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const loaded = await import(process.argv[2]);
const cjs = Object.keys(createRequire(import.meta.url).cache);
const esm = readFileSync(process.env.LOAD_LOG, 'utf8').split('\\n').filter(Boolean);
console.log(JSON.stringify({ exports: Object.keys(loaded), modules: [...esm, ...cjs] }));
`;
// createTelemetry with an endpoint (OTLP export of spans and logs); ajv only once a call is bad.
const USE_PROBE = `const { createTelemetry } = await import('plumbline');
const { createRequire } = await import('node:module');
const loaded = () => Object.keys(createRequire(import.meta.url).cache);
const telemetry = createTelemetry(
  { service: { name: 'probe' }, events: { 'probe.ran': { level: 'info', fields: { n: { type: 'integer' } } } } },
  { otlpEndpoint: 'http://127.0.0.1:9', registerGlobal: false, logDestination: '/dev/null', exportTimeoutMs: 500 },
);
telemetry.log.event('probe.ran', { n: 1 });
const beforeBadCall = loaded();
telemetry.log.event('probe.ran', { n: 'one' });
await telemetry.shutdown();
console.log(JSON.stringify({ beforeBadCall, modules: loaded() }));
`;
const CJS_PROBE = `const loaded = require(process.argv[2]);
console.log(JSON.stringify({ exports: Object.keys(loaded), modules: Object.keys(require.cache) }));
`;

let app: string;
beforeAll(async () => {
  app = await consumerApp();
  await writeFile(join(app, 'load-hooks.mjs'), HOOKS);
  await writeFile(join(app, 'load-register.mjs'), REGISTER);
  await writeFile(join(app, 'esm-probe.mjs'), ESM_PROBE);
  await writeFile(join(app, 'cjs-probe.cjs'), CJS_PROBE);
  await writeFile(join(app, 'use-probe.mjs'), USE_PROBE);
}, 300_000);

interface Probe {
  readonly exports: string[];
  readonly modules: string[];
}

async function importFresh(entry: string, log: string): Promise<Probe> {
  const out = await runNode(app, ['--import', './load-register.mjs', 'esm-probe.mjs', entry].map(String), {
    LOAD_LOG: join(app, log),
  });
  return JSON.parse(out) as Probe;
}

// Without require(esm) (unflagged only since Node 20.19), as on Node 20.0.
async function requireFresh(entry: string): Promise<Probe> {
  return JSON.parse(
    await runNode(app, ['--no-experimental-require-module', 'cjs-probe.cjs', entry]),
  ) as Probe;
}

function buildTime(modules: readonly string[]): string[] {
  return modules.filter((module) => BUILD_TIME.some((pattern) => pattern.test(module)));
}

function onUse(modules: readonly string[]): string[] {
  return modules.filter((module) => ON_USE.some((pattern) => pattern.test(module)));
}

describe('the runtime entry loads no build-time code', () => {
  it("import('plumbline') loads no generator, CLI, Grafana SDK or yaml", async () => {
    const probe = await importFresh('plumbline', `esm-runtime-${process.pid}.log`);
    expect(probe.exports).toContain('createTelemetry');
    expect(probe.modules.some((m) => m.includes('/node_modules/plumbline/dist/index.js'))).toBe(true);
    expect(buildTime(probe.modules)).toEqual([]);
  });

  it("regression: require('plumbline') failed with ERR_PACKAGE_PATH_NOT_EXPORTED; it works without require(esm) and loads no generator, Grafana SDK or yaml", async () => {
    const probe = await requireFresh('plumbline');
    expect(probe.exports).toEqual(
      expect.arrayContaining(['createTelemetry', 'defineTelemetry', 'TailSamplingProcessor']),
    );
    expect(probe.modules.some((m) => m.includes('/node_modules/plumbline/dist/cjs/index.js'))).toBe(true);
    expect(buildTime(probe.modules)).toEqual([]);
  });

  // The same probes see the build-time modules when they are loaded, so the checks above can fail.
  it("import('plumbline/generate') and require('plumbline/generate') do load them", async () => {
    const esm = await importFresh('plumbline/generate', `esm-generate-${process.pid}.log`);
    const cjs = await requireFresh('plumbline/generate');
    for (const probe of [esm, cjs]) {
      expect(probe.exports).toEqual(
        expect.arrayContaining(['renderDashboards', 'generatePrometheusRules', 'loadSpecFile']),
      );
      const seen = buildTime(probe.modules);
      for (const pattern of BUILD_TIME.slice(0, 3)) expect(seen.some((m) => pattern.test(m))).toBe(true);
    }
  });

  it("import('plumbline') and require('plumbline') load ajv's compiler, the OTLP exporters, sdk-logs and pino only once used", async () => {
    expect(onUse((await importFresh('plumbline', `esm-on-use-${process.pid}.log`)).modules)).toEqual([]);
    expect(onUse((await requireFresh('plumbline')).modules)).toEqual([]);
    // The probe sees them once createTelemetry has an endpoint and a call is bad, so the checks
    // above can fail; a valid call is checked without ajv.
    const used = JSON.parse(await runNode(app, ['use-probe.mjs'])) as {
      beforeBadCall: string[];
      modules: string[];
    };
    expect(used.beforeBadCall.filter((m) => ON_USE[0]!.test(m))).toEqual([]);
    for (const pattern of ON_USE)
      expect(
        used.modules.some((m) => pattern.test(m)),
        String(pattern),
      ).toBe(true);
  });

  // The structure check is the precompiled validator, generated at build time into both builds.
  it('a CommonJS and an ESM app use the runtime API: defineTelemetry checks a spec and names the bad field', async () => {
    const body = `
const spec = defineTelemetry({ service: { name: 'cjs-app' }, events: { 'a.b': { level: 'info', fields: {} } } });
let error;
try { defineTelemetry({ service: { name: 'cjs-app' }, events: { 'a.b': { level: 'loud', fields: {} } } }); } catch (e) { error = e; }
console.log(JSON.stringify({ service: spec.service.name, isSpecError: error instanceof SpecError, message: error.message }));
`;
    await writeFile(
      join(app, 'cjs-app.cjs'),
      `const { defineTelemetry, SpecError } = require('plumbline');${body}`,
    );
    await writeFile(
      join(app, 'esm-app.mjs'),
      `import { defineTelemetry, SpecError } from 'plumbline';${body}`,
    );
    for (const args of [['--no-experimental-require-module', 'cjs-app.cjs'], ['esm-app.mjs']]) {
      const result = JSON.parse(await runNode(app, args)) as {
        service: string;
        isSpecError: boolean;
        message: string;
      };
      expect(result).toMatchObject({ service: 'cjs-app', isSpecError: true });
      expect(result.message).toMatch(/events\["a\.b"\]\.level/);
    }
  });

  it('the installed bin answers --version and --help on stdout', async () => {
    const bin = join(app, 'node_modules', '.bin', 'plumbline');
    const { version } = JSON.parse(
      await readFile(join(app, 'node_modules/plumbline/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(await runNode(app, [bin, '--version'])).toBe(`${version}\n`);
    expect(await runNode(app, [bin, 'generate', 'alerts', '--help'])).toMatch(
      /^usage: plumbline generate alerts/,
    );
  });

  it("the installed bin's generate docs takes the app's own facts from --doc-options, and none of the blueprint's", async () => {
    const bin = join(app, 'node_modules', '.bin', 'plumbline');
    await writeFile(join(app, 'docs-spec.json'), JSON.stringify({ service: { name: 'shop' }, events: {} }));
    await writeFile(
      join(app, 'doc-options.mjs'),
      "export default { configPath: 'deploy/shop.yaml', startCommand: 'node server.js', healthCheck: 'its /ready' };\n",
    );
    await runNode(app, [
      bin,
      'generate',
      'docs',
      '--spec',
      'docs-spec.json',
      '--doc-options',
      'doc-options.mjs',
      '--out',
      'generated-docs',
    ]);
    const doc = await readFile(join(app, 'generated-docs', 'invariants.md'), 'utf8');
    expect(doc).toMatch(/^# shop: invariants and their monitors/);
    expect(doc).toContain('the service and its config (`deploy/shop.yaml`)');
    expect(doc).toContain('   node server.js');
    expect(doc).toContain('Is the process up? Ask its /ready.');
    expect(doc).not.toContain('examples/blueprint');
    expect(doc).not.toContain('BLUEPRINT_');
  });
});
