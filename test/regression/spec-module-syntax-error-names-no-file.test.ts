// Regression: a spec module (or --doc-options module) that failed to load was reported by its
// bare error, naming no file: a typo in telemetry.mjs or telemetry.cjs made `plumbline schema
// export --spec telemetry.cjs` print "plumbline schema: Unexpected end of input" (no file, no
// line), and `generate docs --doc-options` the same, with two modules in play; a spec whose top
// level threw printed only the thrown message. A JSON spec already said "<file>: not valid JSON".
// The error now names the file, and for a CommonJS syntax error its line (and the file it is in,
// when that is a module the spec requires); Node gives an ES module's syntax error no location,
// so that one says it may be in a module the spec imports. 0 of 5 cases named their file before,
// 5 of 5 now.
// Real Node in a child process (vitest's own module loader answers import() with other errors).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const LOAD = join(REPO, 'src', 'spec', 'load.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spec-module-error-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function moduleFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Node (with tsx for plumbline's TypeScript source) runs `args`: its exit code and stderr. */
function node(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO }, (error, _stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr }),
    );
  });
}

/** The message `importModuleExport(path, name)` rejects with, in real Node. */
async function loadError(path: string, name: string): Promise<string> {
  const script =
    `import { importModuleExport } from ${JSON.stringify(LOAD)};\n` +
    `await importModuleExport(${JSON.stringify(path)}, ${JSON.stringify(name)}).then(\n` +
    `  () => console.error('loaded'), (error) => console.error(error.message));\n`;
  return (await node(['--input-type=module', '-e', script])).stderr.trim();
}

describe('spec module syntax error names no file', () => {
  it('the CLI names a CommonJS spec and the line of its syntax error', async () => {
    const path = await moduleFile('typo.cjs', "module.exports = {\n  service: { name: 'shop' ;\n};\n");
    const result = await node([join(REPO, 'src', 'cli', 'main.ts'), 'schema', 'export', '--spec', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`plumbline schema: ${path}:2: SyntaxError: Unexpected token ';'`);
  });

  it('names an ES module spec whose syntax is wrong', async () => {
    const path = await moduleFile('typo.mjs', "export default {\n  service: { name: 'shop' },\n");
    expect(await loadError(path, 'spec')).toBe(
      `${path}: SyntaxError: Unexpected end of input (in this file or a module it imports)`,
    );
  });

  it('names the spec and the module it requires whose syntax is wrong', async () => {
    const shared = await moduleFile('shared.cjs', 'exports.events = {};\nexports.x = ;\n');
    const path = await moduleFile(
      'requires.cjs',
      "module.exports = { events: require('./shared.cjs').events };\n",
    );
    expect(await loadError(path, 'spec')).toBe(`${path}: ${shared}:2: SyntaxError: Unexpected token ';'`);
  });

  it('names the --doc-options module whose top level throws', async () => {
    const path = await moduleFile('throws.cjs', "throw new Error('SERVICE_NAME is not set');\n");
    expect(await loadError(path, 'invariantsDoc')).toBe(`${path}: SERVICE_NAME is not set`);
  });

  it('names a TypeScript spec whose syntax is wrong, once', async () => {
    const path = await moduleFile('typo.ts', 'export default {\n');
    const message = await loadError(path, 'spec');
    expect(message.startsWith(`${path}:`)).toBe(true);
    expect(message.startsWith(`${path}: ${path}`)).toBe(false);
  });
});
