// Loads a telemetry spec from a file, so tools that are not TypeScript can read it too:
// .json, .yaml/.yml, or a JavaScript or TypeScript module (ESM or CommonJS) whose default export
// (or `spec` export) is the spec.
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveSpec } from './model.js';
import type { TelemetrySpec } from './types.js';
// eslint-disable-next-line no-restricted-imports -- its types only; the parser loads in loadYaml
import type * as Yaml from 'yaml';
import { COMMONJS_BUILD } from '../module-format.js';

const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts'];

/** Whether `path` names a module this loader imports (.js, .mjs, .cjs, .ts, .mts, .cts). */
export function isModuleFile(path: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(path).toLowerCase());
}

/**
 * A module file's default export, else its export called `name`; undefined when it has neither.
 * A TypeScript file that this Node cannot import (before 22.18 it strips no types) is loaded
 * through the project's tsx, found from the file's folder.
 */
export async function importModuleExport(path: string, name: string): Promise<unknown> {
  const absolute = resolve(path);
  try {
    return exportOf(await importModule(path, absolute), name);
  } catch (error) {
    const typeScript = TYPESCRIPT_EXTENSIONS.includes(extname(absolute).toLowerCase());
    if (!typeScript || (error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION')
      throw moduleLoadError(path, absolute, error);
  }
  try {
    return exportOf(await importThroughTsx(path, absolute), name);
  } catch (error) {
    throw moduleLoadError(path, absolute, error);
  }
}

/**
 * A module file's failure to load, named by the file: Node's own error named none, so a typo in
 * telemetry.mjs made the CLI say "plumbline schema: Unexpected end of input" (regression:
 * spec-module-syntax-error-names-no-file). A CommonJS syntax error's stack begins with its file
 * and line ("/abs/spec.cjs:3"), given too (with that file when it is another module the spec
 * requires); an ES module's gives neither, so it may be in a module the spec imports. An error
 * that already names the file is kept as it is.
 */
function moduleLoadError(path: string, absolute: string, error: unknown): unknown {
  const failure = error as { message?: unknown; stack?: unknown; name?: unknown } | null;
  if (typeof failure?.message !== 'string' || failure.message.startsWith(`${path}:`)) return error;
  if (failure.name !== 'SyntaxError') return new Error(`${path}: ${failure.message}`, { cause: error });
  const stack = typeof failure.stack === 'string' ? failure.stack : '';
  const at = /^(.+):(\d+)$/.exec(stack.split('\n', 1)[0]!);
  const file = at === null ? undefined : at[1]!.startsWith('file://') ? fileURLToPath(at[1]!) : at[1]!;
  const where =
    at === null
      ? `${path}: SyntaxError: ${failure.message} (in this file or a module it imports)`
      : file === absolute
        ? `${path}:${at[2]}: SyntaxError: ${failure.message}`
        : `${path}: ${file}:${at[2]}: SyntaxError: ${failure.message}`;
  return new Error(where, { cause: error });
}

/**
 * The module's namespace by import(); in the CommonJS build, when the host gives import() no
 * callback, its exports by the build's own require (module-format.ts). Jest runs CommonJS in its
 * own module registry, where import() fails as "A dynamic import callback was invoked without
 * --experimental-vm-modules": a .cjs or .js spec module failed to load under Jest while a JSON or
 * YAML spec loaded (regression: spec-module-under-jest-fails-dynamic-import). Jest's require loads
 * it through Jest's registry and transforms; an ES module it cannot require is named, with what to
 * do. Everywhere else import() answers, as before.
 */
async function importModule(path: string, absolute: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    const noCallback = (error as { code?: unknown }).code === 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG';
    if (!COMMONJS_BUILD || !noCallback) throw error;
  }
  try {
    // A CommonJS module's default export is its module.exports, as import() has it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build's own require (module-format.ts)
    return { default: require(absolute) as unknown };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_REQUIRE_ESM') throw error;
    throw new Error(
      `${path}: is an ES module, and this host (Jest without --experimental-vm-modules) loads ` +
        'plumbline as CommonJS with no import(): give the spec as .cjs (module.exports = spec), ' +
        '.json or .yaml, or run Jest with NODE_OPTIONS=--experimental-vm-modules, or transform ' +
        'the file to CommonJS',
      { cause: error },
    );
  }
}

/**
 * The default export of an imported module, else its export `name`. A CommonJS module's default
 * export is its whole `module.exports`: `module.exports = { spec }` and a compiled
 * `exports.default = spec` are unwrapped, `module.exports = spec` is the spec itself. Neither a
 * spec nor the doc options have a `default` or `spec`/`invariantsDoc` key of their own, so an
 * object with one is a module's exports (regression: cjs-spec-module-exports-object-refused).
 */
function exportOf(module: Record<string, unknown>, name: string): unknown {
  const value = module.default ?? module[name];
  if (typeof value === 'object' && value !== null && ('default' in value || name in value)) {
    const exports = value as Record<string, unknown>;
    return exports.default ?? exports[name];
  }
  return value;
}

/** Regression: typescript-spec-refused-on-node-20.test.ts (`Unknown file extension ".ts"`). */
async function importThroughTsx(path: string, absolute: string): Promise<Record<string, unknown>> {
  let api: string;
  try {
    const manifest = createRequire(absolute).resolve('tsx/package.json');
    const exports = (JSON.parse(await readFile(manifest, 'utf8')) as { exports: Record<string, unknown> })
      .exports['./esm/api'] as { import: { default: string } };
    api = join(dirname(manifest), exports.import.default);
  } catch {
    throw new Error(
      `${path}: Node ${process.version} cannot load TypeScript by itself (Node 22.18 and later strip types): ` +
        'install tsx in the project (npm install --save-dev tsx), or give the compiled .js',
    );
  }
  const { tsImport } = (await import(pathToFileURL(api).href)) as {
    tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
  };
  const url = pathToFileURL(absolute).href;
  return tsImport(url, url);
}

async function loadYaml(): Promise<typeof Yaml> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build's own require (module-format.ts)
  return COMMONJS_BUILD ? (require('yaml') as typeof Yaml) : import('yaml');
}

export async function loadSpecFile(path: string): Promise<TelemetrySpec> {
  const absolute = resolve(path);
  const extension = extname(absolute).toLowerCase();
  const found = await stat(absolute).catch((error: NodeJS.ErrnoException) => error);
  // Regression: spec-path-is-a-directory-unnamed ("EISDIR: illegal operation on a directory, read").
  if (!(found instanceof Error) && found.isDirectory())
    throw new Error(
      `${path}: is a directory, not a spec file (expected a .json, .yaml, .yml or module file)`,
    );
  const data = extension === '.json' || extension === '.yaml' || extension === '.yml';
  if (!data && !isModuleFile(absolute))
    throw new Error(
      `${path}: unknown spec format "${extension}" (expected .json, .yaml, .yml, ${MODULE_EXTENSIONS.join(', ')})`,
    );
  // Regression: spec-path-missing-named-by-plumbline-internals (a missing .ts said "Cannot find
  // module '<path>' imported from <plumbline's own dist chunk>", a missing .yaml "ENOENT: ...").
  if (found instanceof Error && (found.code === 'ENOENT' || found.code === 'ENOTDIR'))
    throw new Error(`${path}: no such file`);
  let spec: unknown;
  if (data) {
    // An editor's byte order mark is no part of the spec (regression: json-spec-with-bom-refused;
    // the yaml parser skips it, JSON.parse refused it).
    const text = (await readFile(absolute, 'utf8')).replace(/^\uFEFF/, '');
    // yaml is loaded only for YAML specs, so the runtime entry never loads a YAML parser. A
    // failure to load it is not the file's fault, so it is not reported as invalid YAML.
    const parse = extension === '.json' ? jsonParser(path, loadYaml) : yamlParser(path, await loadYaml());
    try {
      spec = await parse(text);
    } catch (error) {
      if (error instanceof SpecSyntaxError) throw new Error(error.message);
      throw new Error(
        `${path}: not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      );
    }
  } else {
    spec = await importModuleExport(absolute, 'spec');
    if (spec === undefined)
      throw new Error(`${path}: exports no spec (expected a default export or \`spec\`)`);
  }
  // Checked and resolved here, at load: the areas and generators read the model it leaves.
  return resolveSpec(spec as TelemetrySpec).spec;
}

/**
 * What a spec file says that its parser accepts and plumbline refuses (tags left unresolved, bad
 * merge keys, repeated JSON keys), each at its line and column: reported as it is, not as a
 * parser's error.
 */
class SpecSyntaxError extends Error {}

/**
 * Parses a JSON spec with JSON.parse, and refuses a key repeated in one object: JSON.parse keeps
 * the last silently (a YAML spec refuses it), so `"service": {"name": "a", "name": "b"}` named
 * the service b without a word (regression: json-spec-duplicate-key-last-one-wins). The repeats
 * are found by the YAML parser, whose flow syntax reads JSON and which refuses a repeated key at
 * its position; only once JSON.parse has accepted the text, and only the YAML parser's repeated
 * keys count, so what is valid JSON stays what JSON.parse says.
 */
function jsonParser(path: string, yaml: () => Promise<typeof Yaml>): (text: string) => Promise<unknown> {
  return async (text) => {
    const value: unknown = JSON.parse(text);
    const { LineCounter, parseDocument } = await yaml();
    const lineCounter = new LineCounter();
    const repeats = parseDocument(text, { lineCounter }).errors.filter(
      (error) => error.code === 'DUPLICATE_KEY',
    );
    if (repeats.length === 0) return value;
    const lines = repeats.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      const literal = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(error.pos[0]))?.[0];
      const key = literal === undefined ? 'a key' : `key ${literal}`;
      return `${path}:${at.line}:${at.col}: ${key} repeats a key of the same object`;
    });
    throw new SpecSyntaxError(
      `${lines.join('\n')}\n  JSON.parse would keep the last value and drop the others: give each key once`,
    );
  };
}

/**
 * Parses a YAML spec, refusing the first error as yaml.parse does, and refusing tags the parser
 * does not resolve (`!env NAME`, `!include file`, `!Ref x`): yaml.parse only warned about them
 * (TAG_RESOLVE_FAILED, lost when the CLI exits) and kept the bare scalar, so `name: !env SERVICE`
 * named the service "SERVICE" in every generated file (regression: yaml-spec-unknown-tag-accepted).
 */
function yamlParser(path: string, yaml: typeof Yaml): (text: string) => unknown {
  return (text) => {
    const lineCounter = new yaml.LineCounter();
    // `<<: *base` merges the keys of the map `base` anchors, as YAML 1.1 and most CI configs read
    // it; without `merge` the parser read `<<` as a key, refused as unknown (regression:
    // yaml-spec-merge-key-refused).
    const document = yaml.parseDocument(text, { merge: true, lineCounter });
    const [error] = document.errors;
    if (error !== undefined) throw error;
    const tags = document.warnings.filter(
      (warning) => warning.code === 'TAG_RESOLVE_FAILED' || warning.code === 'BAD_COLLECTION_TYPE',
    );
    if (tags.length > 0) {
      const lines = tags.map((warning) => {
        const at = warning.linePos?.[0];
        const where = `${path}${at === undefined ? '' : `:${at.line}:${at.col}`}`;
        const tag = /!\S*/.exec(text.slice(warning.pos[0], warning.pos[1]))?.[0];
        const said = warning.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return warning.code === 'TAG_RESOLVE_FAILED' && tag !== undefined
          ? `${where}: unresolved YAML tag ${tag}`
          : `${where}: ${said}`;
      });
      throw new SpecSyntaxError(
        `${lines.join('\n')}\n` +
          '  a spec is plain YAML: plumbline resolves no custom tags (!env, !include, !Ref, ...), and ' +
          'the value would be the bare text after the tag; write the value itself',
      );
    }
    refuseBadMergeSources(path, yaml, document, lineCounter);
    return document.toJS();
  };
}

/**
 * A merge key whose value is no map (nor an alias of one, nor a list of them): toJS throws
 * "Merge sources must be maps or map aliases" with no position, so it is named here, by line.
 */
function refuseBadMergeSources(
  path: string,
  yaml: typeof Yaml,
  document: Yaml.Document,
  lineCounter: Yaml.LineCounter,
): void {
  const isMapSource = (node: unknown): boolean =>
    yaml.isMap(node) || (yaml.isAlias(node) && yaml.isMap(node.resolve(document)));
  const bad: string[] = [];
  yaml.visit(document, {
    Pair(_, pair) {
      if (!yaml.isScalar(pair.key) || typeof pair.key.value !== 'symbol') return;
      const source = pair.value;
      if (isMapSource(source) || (yaml.isSeq(source) && source.items.every(isMapSource))) return;
      const at = lineCounter.linePos(pair.key.range?.[0] ?? 0);
      bad.push(
        `${path}:${at.line}:${at.col}: the merge key << takes a map, an alias of one (<<: *base) or a list of them`,
      );
    },
  });
  if (bad.length > 0) throw new SpecSyntaxError(bad.join('\n'));
}
