// Regression (bundled-service trial): a service bundled with esbuild (--bundle --platform=node, ESM
// with the createRequire banner) and run from a directory without node_modules crashed at import
// with "Cannot find module 'ajv/dist/runtime/ucs2length'": the spec validator required ajv's
// runtime helpers from plumbline's own location, which no bundler sees. They are static imports
// now, so a bundle that takes plumbline in imports it and checks specs. What plumbline loads on
// first use (sdk-metrics, pino, the OTLP exporters) still cannot be bundled: createTelemetry failed
// with a bare "Cannot find module '@opentelemetry/sdk-metrics'" and now names the package and the
// recipe (docs/install.md#bundling), which this file runs: plumbline and @opentelemetry/* external.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, type Format } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFoundOnUseMessage } from '../../src/require-on-use.js';
import { consumerApp, REPO, runNode } from '../packaging/packed.js';

/** The banner docs/install.md gives for an ESM bundle (bundled CommonJS code requires builtins). */
const BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

// One event with a capped string and an enum, one histogram; defineTelemetry runs the spec
// validator (ucs2length checks every name's length) and is shown refusing an empty name too.
// No top-level await: the same file is bundled as CommonJS.
const APP = `import { Writable } from 'node:stream';
import { createTelemetry, defineTelemetry } from 'plumbline';

const spec = defineTelemetry({
  service: { name: 'bundled' },
  events: {
    'order.placed': {
      level: 'info',
      fields: { order_id: { type: 'string', maxLength: 16 }, tier: { type: 'string', enum: ['gold', 'basic'] } },
    },
  },
  histograms: { 'job.duration': { description: 'Job time.', unit: 's', buckets: { boundaries: [0.1, 1] } } },
});
let refused;
try {
  defineTelemetry({ service: { name: '' }, events: {} });
} catch (error) {
  refused = error.message;
}
const lines = [];
const destination = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\\n')) if (line !== '') lines.push(JSON.parse(line));
    done();
  },
});
const report = (result) => console.log(JSON.stringify({ service: spec.service.name, refused, ...result }));
let telemetry;
try {
  telemetry = createTelemetry(spec, { logDestination: destination, registerGlobal: false });
} catch (error) {
  report({ failed: error.message, cause: error.cause?.message });
}
if (telemetry !== undefined) {
  telemetry.log.event('order.placed', { order_id: 'o-1', tier: 'gold' });
  telemetry.metrics.histogram('job.duration').record(0.5);
  void telemetry.shutdown().then(() => report({ lines }));
}
`;

interface Report {
  readonly service: string;
  readonly refused?: string;
  readonly lines?: Record<string, unknown>[];
  readonly failed?: string;
  readonly cause?: string;
}

let work: string;
let lonely: string;
beforeAll(async () => {
  // Inside the consumer app, so esbuild resolves the installed plumbline and the bundles' externals
  // resolve from its node_modules.
  work = await mkdtemp(join(await consumerApp(), 'bundle-'));
  await mkdir(join(work, 'run'));
  await writeFile(join(work, 'app.mjs'), APP);
  lonely = await mkdtemp(join(tmpdir(), 'plumbline-bundled-'));
}, 300_000);
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
  if (lonely !== undefined) await rm(lonely, { recursive: true, force: true });
});

async function bundle(format: Format, outfile: string, external: string[]): Promise<void> {
  await build({
    entryPoints: [join(work, 'app.mjs')],
    absWorkingDir: work,
    bundle: true,
    platform: 'node',
    format,
    outfile,
    external,
    ...(format === 'esm' ? { banner: { js: BANNER } } : {}),
    logLevel: 'error',
  });
}

async function run(file: string): Promise<Report> {
  const out = (await runNode(dirname(file), [file])).trim().split('\n');
  return JSON.parse(out.at(-1)!) as Report;
}

/** The node_modules directories Node would search from `dir` up. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) found.push(join(at, 'node_modules'));
    if (dirname(at) === at) return found;
  }
}

describe('regression: a bundled app cannot find ajv runtime (bundled-app-cannot-find-ajv-runtime)', () => {
  it('docs/install.md gives the banner this file bundles with', async () => {
    expect(await readFile(join(REPO, 'docs/install.md'), 'utf8')).toContain(BANNER);
  });

  for (const format of ['esm', 'cjs'] as const)
    it(`the documented recipe, ${format}: plumbline and @opentelemetry/* external, the event line is written`, async () => {
      const outfile = join(work, 'run', `recipe.${format === 'esm' ? 'mjs' : 'cjs'}`);
      await bundle(format, outfile, ['plumbline', '@opentelemetry/*']);
      const report = await run(outfile);
      expect(report.failed).toBeUndefined();
      expect(report.refused).toMatch(/service\.name/);
      expect(report.lines).toEqual([
        expect.objectContaining({
          level: 'info',
          service: 'bundled',
          event: 'order.placed',
          order_id: 'o-1',
          tier: 'gold',
        }),
      ]);
    }, 60_000);

  for (const format of ['esm', 'cjs'] as const)
    it(`plumbline bundled too, ${format}, run without node_modules: import and defineTelemetry work, createTelemetry names the missing package and the recipe`, async () => {
      expect(nodeModulesAbove(lonely)).toEqual([]);
      const outfile = join(lonely, `bundled.${format === 'esm' ? 'mjs' : 'cjs'}`);
      // Everything bundled: with @opentelemetry/* external the bundle could not even load here.
      await bundle(format, outfile, []);
      const report = await run(outfile);
      // Before the fix the process died at import: Cannot find module 'ajv/dist/runtime/ucs2length'.
      expect(report.service).toBe('bundled');
      expect(report.refused).toMatch(/service\.name/);
      // sdk-metrics is the first thing createTelemetry loads on use.
      expect(report.failed).toContain("cannot find '@opentelemetry/sdk-metrics'");
      expect(report.failed).toContain('docs/install.md#bundling');
      expect(report.cause).toMatch(/^Cannot find module '@opentelemetry\/sdk-metrics'/);
      expect(report.failed).toBe(notFoundOnUseMessage('@opentelemetry/sdk-metrics'));
    }, 60_000);
});
