// Regression: the Prometheus check of docs/dashboards.md ("run the same check against your own
// Prometheus") did not compile as shown under strict TypeScript with @types/node (3 errors,
// TS18046 'body' is of type 'unknown': Response.json() returns Promise<unknown>), and nothing
// noticed: the docs test checked only the spec objects of the samples (docs-examples-refused-by-
// validator), never the code around them. Every ts block of README.md and docs/*.md that parses
// as a module now typechecks (strict, NodeNext) against the current API, `plumbline` and
// `plumbline/generate` being this repository's sources. A block that does not parse alone (a
// fragment of an object, `'event.rejected': {...},`) is left out; names a fragment leaves to its
// reader (`spec`, `adminPort`) and the reader's own relative modules are allowed, except that
// `./telemetry.js` is the README quick start's spec and `./vip-route.js` the sampling doc's policy.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(DOCS, name)),
];
// Under node_modules, so the samples' bare imports (@opentelemetry/...) resolve as in an app.
const DIR = mkdtempSync(join(ROOT, 'node_modules', '.docs-samples-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Sample {
  readonly where: string;
  readonly file: string;
}

/** The ts blocks of every page, each written to DIR as a module; `where` is page:line. */
function writeSamples(): Sample[] {
  const samples: Sample[] = [];
  for (const page of PAGES) {
    const lines = readFileSync(page, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^\s*(`{3,})(ts|typescript)\s*$/.exec(lines[i]!);
      if (open === null) continue;
      let end = i + 1;
      while (end < lines.length && !lines[end]!.trim().startsWith(open[1]!)) end++;
      const body = lines
        .slice(i + 1, end)
        .join('\n')
        // A sample run from the repository's root (docs/blueprint.md's embedding).
        .replaceAll("from './examples/", `from '${ROOT}/examples/`);
      const where = `${relative(ROOT, page)}:${i + 2}`;
      const file = join(DIR, `${where.replace(/[/:.]/g, '-')}.ts`);
      writeFileSync(file, body);
      samples.push({ where, file });
      i = end;
    }
  }
  return samples;
}

/** The stubs samples import: the README quick start's spec, the sampling doc's VipRoute. */
function writeStubs(): void {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const spec = /const spec = (defineTelemetry\(\{[\s\S]*?\n\}\));/.exec(readme)?.[1];
  if (spec === undefined) throw new Error('no `const spec = defineTelemetry({...})` in README.md');
  writeFileSync(
    join(DIR, 'telemetry.ts'),
    `import { defineTelemetry } from 'plumbline';\nexport const spec = ${spec};\n`,
  );
  writeFileSync(join(DIR, 'telemetry-spec.ts'), "export { spec } from './telemetry.js';\n");
  const sampling = readFileSync(join(DOCS, 'sampling.md'), 'utf8');
  const vip = /```ts\n(\/\/ vip-route\.ts\n[\s\S]*?)```/.exec(sampling)?.[1];
  if (vip === undefined) throw new Error('no `// vip-route.ts` block in docs/sampling.md');
  writeFileSync(join(DIR, 'vip-route.ts'), vip);
}

/** Names left to the reader, and the reader's own relative modules: not the sample's fault. */
function leftToReader(d: ts.Diagnostic): boolean {
  if (d.code === 2304 || d.code === 18004) return true; // Cannot find name 'spec'
  if (d.code !== 2307) return false;
  return /Cannot find module '\.{1,2}\//.test(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('TypeScript samples of README.md and docs/*.md', () => {
  it('typecheck against the current API', () => {
    writeStubs();
    const samples = writeSamples();
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.es2024.string.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      moduleDetection: ts.ModuleDetectionKind.Force,
      baseUrl: DIR,
      paths: {
        plumbline: [join(ROOT, 'src', 'index.ts')],
        'plumbline/generate': [join(ROOT, 'src', 'generate', 'index.ts')],
      },
    };
    writeFileSync(join(DIR, 'package.json'), '{ "type": "module" }\n');
    const program = ts.createProgram(
      samples.map((s) => s.file),
      options,
    );
    const parses = samples.filter(
      (s) => program.getSyntacticDiagnostics(program.getSourceFile(s.file)).length === 0,
    );
    // Most samples are whole modules: a check that left them all out would prove nothing.
    expect(parses.length).toBeGreaterThanOrEqual(20);
    const where = new Map(parses.map((s) => [s.file, s.where]));
    const problems = parses
      .flatMap((s) => program.getSemanticDiagnostics(program.getSourceFile(s.file)))
      .filter((d) => !leftToReader(d))
      .map((d) => {
        const line = d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line;
        const [page, first] = where.get(d.file!.fileName)!.split(':');
        return `${page}:${Number(first) + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      });
    expect(problems).toEqual([]);
  }, 180_000);
});
