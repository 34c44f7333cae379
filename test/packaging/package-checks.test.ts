// The packed tarball as a consumer meets it: publint and arethetypeswrong find nothing, the
// types pass a consumer's strictest tsconfig (ESM and CommonJS), LICENSE and the README's links
// are in it.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, packedTarball, REPO, runNode } from './packed.js';

const exec = promisify(execFile);
let tarball: string;

beforeAll(async () => {
  tarball = await packedTarball();
}, 300_000);

async function tarballFiles(): Promise<string[]> {
  const { stdout } = await exec('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

describe('the packed tarball', () => {
  it('passes publint (strict: warnings count as errors)', async () => {
    const data = await readFile(tarball);
    const result = await publint({
      pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer },
      strict: true,
      level: 'suggestion',
    });
    expect(result.messages.map((message) => formatMessage(message, result.pkg) ?? message.code)).toEqual([]);
  });

  it('passes arethetypeswrong for every entry point and resolution mode', async () => {
    const attw = join(REPO, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    // attw exits 1 on problems; the JSON names them either way.
    const { stdout } = await exec(process.execPath, [attw, tarball, '--format', 'json'], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const report = JSON.parse(stdout) as {
      analysis: { entrypoints: Record<string, unknown> };
      problems: Record<string, unknown[]> | unknown[];
    };
    expect(Object.keys(report.analysis.entrypoints)).toEqual(['.', './generate', './package.json']);
    expect(Object.values(report.problems).flat()).toEqual([]);
  });

  it('ships LICENSE (Apache-2.0), the CommonJS build with the precompiled spec validator, and docs/, and no sources or tests', async () => {
    const files = await tarballFiles();
    expect(files).toContain('LICENSE');
    expect(await readFile(join(REPO, 'LICENSE'), 'utf8')).toMatch(
      /Apache License\s+Version 2\.0, January 2004/,
    );
    expect(files).toEqual(
      // The validator is generated at build time (gitignored in src/), so a build without it fails here.
      expect.arrayContaining([
        'dist/index.js',
        'dist/cjs/index.js',
        'dist/cjs/package.json',
        'dist/cjs/spec/spec-validator.generated.js',
      ]),
    );
    expect(files.filter((file) => /^(src|test|bench|examples)\//.test(file))).toEqual([]);
  });

  it('regression: npm warned of an install script on every install (prepare, for a file the tarball does not ship)', async () => {
    const { stdout } = await exec('tar', ['-xzOf', tarball, 'package/package.json']);
    const scripts = (JSON.parse(stdout) as { scripts?: Record<string, string> }).scripts ?? {};
    // npm 11 lists these as install scripts awaiting approval (`npm warn install-scripts`).
    for (const name of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(scripts, `scripts.${name}`).not.toHaveProperty(name);
  });

  it('every relative link in the README resolves to a file in the tarball', async () => {
    const files = new Set(await tarballFiles());
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1]!)
      .filter((link) => !/^[a-z]+:/i.test(link));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !files.has(link.replace(/^\.\//, '')))).toEqual([]);
  });
});

describe('the shipped types under a strict consumer tsconfig', () => {
  it('type-check with strict, exactOptionalPropertyTypes and skipLibCheck off, from ESM and CommonJS (regression: SampledSpan against ReadableSpan.parentSpanContext)', async () => {
    // A folder inside the cached app: node_modules resolves from its parent, nothing is copied.
    const dir = join(await consumerApp(), 'types');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          types: ['node'],
        },
        include: ['*.mts', '*.cts'],
      }),
    );
    await writeFile(
      join(dir, 'esm.mts'),
      `import { createTelemetry, defineTelemetry, TailSamplingProcessor, type Telemetry } from 'plumbline';
import { generatePrometheusRules, renderDashboards } from 'plumbline/generate';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
const spec = defineTelemetry({ service: { name: 'orders' }, events: { 'order.placed': { level: 'info', fields: { id: { type: 'string' } } } } });
export const telemetry: Telemetry<typeof spec> = createTelemetry(spec);
telemetry.log.event('order.placed', { id: 'o-1' });
export const rules: string = generatePrometheusRules(spec);
export const dashboards = renderDashboards(spec);
export type Sampler = TailSamplingProcessor;
export type Span = ReadableSpan;
`,
    );
    await writeFile(
      join(dir, 'cjs.cts'),
      `import plumbline = require('plumbline');
import generate = require('plumbline/generate');
const spec = plumbline.defineTelemetry({ service: { name: 'orders' }, events: {} });
export const telemetry = plumbline.createTelemetry(spec);
export const rules: string = generate.generatePrometheusRules(spec);
`,
    );
    const tsc = join(REPO, 'node_modules/typescript/lib/tsc.js');
    await expect(runNode(dir, [tsc, '-p', '.'])).resolves.toBe('');
  }, 120_000);
});
