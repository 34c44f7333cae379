// The installed package's two builds and its types name the same API: for `plumbline` and
// `plumbline/generate`, the names `import` gives, the names `require` gives (without
// require(esm), so the CommonJS build itself answers) and the value exports its declarations
// promise are one list, and each name is the same kind of thing (function, object, string ...)
// in both builds. A module left out of one build, or a type exported as a value, shows here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, runNode } from './packed.js';

const PROBE = `import { createRequire } from 'node:module';
const entry = process.argv[2];
const kinds = (module) => Object.fromEntries(Object.keys(module).filter((name) => name !== 'default').sort().map((name) => [name, typeof module[name]]));
console.log(JSON.stringify({ esm: kinds(await import(entry)), cjs: kinds(createRequire(import.meta.url)(entry)) }));
`;

/** The names a declaration file exports as values (functions, classes, constants), not types. */
function declaredValues(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`${file}: not read`);
  const module = checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${file}: not a module`);
  return checker
    .getExportsOfModule(module)
    .filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return (target.flags & ts.SymbolFlags.Value) !== 0;
    })
    .map((symbol) => symbol.name)
    .sort();
}

let app: string;
beforeAll(async () => {
  app = await consumerApp();
}, 300_000);

describe.each([
  { entry: 'plumbline', esmTypes: 'dist/index.d.ts', cjsTypes: 'dist/cjs/index.d.ts' },
  {
    entry: 'plumbline/generate',
    esmTypes: 'dist/generate/index.d.ts',
    cjsTypes: 'dist/cjs/generate/index.d.ts',
  },
])('$entry', ({ entry, esmTypes, cjsTypes }) => {
  it('import, require and the declarations of both builds name the same values, each of the same kind', async () => {
    const probe = join(app, 'export-surface-probe.mjs');
    await writeFile(probe, PROBE);
    const { esm, cjs } = JSON.parse(
      await runNode(app, ['--no-experimental-require-module', probe, entry]),
    ) as { esm: Record<string, string>; cjs: Record<string, string> };
    expect(Object.keys(esm).length).toBeGreaterThan(20);
    expect(cjs).toEqual(esm);
    const installed = join(app, 'node_modules', 'plumbline');
    expect(declaredValues(join(installed, esmTypes))).toEqual(Object.keys(esm));
    expect(declaredValues(join(installed, cjsTypes))).toEqual(Object.keys(esm));
  }, 120_000);
});
