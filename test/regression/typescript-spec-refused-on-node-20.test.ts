// Regression: the installed CLI refused a `.ts` spec on Node 20 (`Unknown file extension ".ts"`,
// a newcomer's fastify app), though the docs show `--spec telemetry.ts` everywhere. Node strips
// types only from 22.18, so on an older Node the CLI now loads a TypeScript spec through the
// project's own tsx (ESM or CommonJS format), and without tsx it says what to do.
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, REPO, runNode } from '../packaging/packed.js';

/** Node 22.18 and later import .ts files themselves: no tsx needed, nothing refused. */
const stripsTypes = (process.features as { typescript?: unknown }).typescript !== undefined;

const SPEC = `import { name } from './name.js';
const spec = { service: { name }, events: {} };
export default spec;
`;
const NAME = "export const name: string = 'shop';\n";

let app: string;
let bin: string;
beforeAll(async () => {
  app = await consumerApp();
  bin = join(app, 'node_modules', '.bin', 'plumbline');
}, 300_000);

async function project(name: string, files: Record<string, string>, withTsx: boolean): Promise<string> {
  const dir = join(app, 'ts-specs', name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  if (withTsx) await symlink(join(REPO, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'), 'dir');
  return dir;
}

async function generateCollector(dir: string): Promise<string> {
  await runNode(dir, [bin, 'generate', 'collector', '--spec', 'telemetry.ts', '--out', 'out']);
  return readFile(join(dir, 'out', 'agent.yaml'), 'utf8');
}

describe('a TypeScript spec refused on Node 20 (regression)', () => {
  it('loads an ESM .ts spec through the project’s tsx', async () => {
    const dir = await project('esm', { 'telemetry.ts': SPEC, 'name.ts': NAME }, true);
    expect(await generateCollector(dir)).toContain('service.name');
  });

  it('loads a CommonJS-format .ts spec (no "type": "module") through tsx', async () => {
    const dir = await project(
      'cjs',
      {
        'package.json': '{ "type": "commonjs" }\n',
        'telemetry.ts': "export const spec = { service: { name: 'shop' as string }, events: {} };\n",
      },
      true,
    );
    expect(await generateCollector(dir)).toContain('service.name');
  });

  it('without tsx, says what to install instead of "Unknown file extension"', async () => {
    const dir = await project('bare', { 'telemetry.ts': SPEC, 'name.ts': NAME }, false);
    if (stripsTypes) return expect(await generateCollector(dir)).toContain('service.name');
    const failure = await generateCollector(dir).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failure).toContain('telemetry.ts: Node');
    expect(failure).toContain('install tsx in the project (npm install --save-dev tsx)');
    expect(failure).not.toContain('Unknown file extension');
  });
});
