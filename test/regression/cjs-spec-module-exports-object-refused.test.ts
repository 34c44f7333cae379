// Regression: a CommonJS project's spec, `module.exports = { spec }` in telemetry-spec.js, was
// refused by the CLI with "service: is required but missing ... spec: is not a known key here"
// (a newcomer's express app on OTel 3.x): a native import gives a CommonJS module's whole
// `module.exports` as its default export, which the loader took for the spec. It is unwrapped now,
// as the tsx path already did, and `.cjs` (and `.cts`) specs load: the CLI answered
// `unknown spec format ".cjs"`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpecFile } from '../../src/spec/load.js';
import { runCli } from '../support/cli.js';

const SPEC = "{ service: { name: 'shop' }, events: {} }";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cjs-spec-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function specFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('regression: a CommonJS spec module refused', () => {
  it.each([
    ['module.exports = { spec }', 'named.js', `const spec = ${SPEC};\nmodule.exports = { spec };\n`],
    ['exports.spec = spec', 'exported.js', `exports.spec = ${SPEC};\n`],
    [
      'a compiled default export',
      'compiled.js',
      `Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = ${SPEC};\n`,
    ],
    ['module.exports = spec', 'whole.js', `module.exports = ${SPEC};\n`],
    ['a .cjs file', 'telemetry.cjs', `module.exports = { spec: ${SPEC} };\n`],
  ])('loads %s', async (_shape, name, text) => {
    const spec = await loadSpecFile(await specFile(name, text));
    expect(spec.service.name).toBe('shop');
  });

  it('generates from it with the CLI', async () => {
    const spec = await specFile('telemetry-spec.js', `const spec = ${SPEC};\nmodule.exports = { spec };\n`);
    const out = join(dir, 'collector');
    const result = await runCli(['generate', 'collector', '--spec', spec, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(join(out, 'agent.yaml'), 'utf8')).toContain('shop');
  });

  it('names every format it takes when it refuses one', async () => {
    await expect(loadSpecFile(await specFile('spec.toml', ''))).rejects.toThrow(
      'unknown spec format ".toml" (expected .json, .yaml, .yml, .js, .mjs, .cjs, .ts, .mts, .cts)',
    );
  });
});
