// Loads a telemetry spec from a file, so tools that are not TypeScript can read it too:
// .json, .yaml/.yml, or a .ts/.js module whose default export (or `spec` export) is the spec.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveSpec } from './model.js';
import type { TelemetrySpec } from './types.js';

/** Whether `path` names a module this loader imports (.ts, .mts, .js, .mjs). */
export function isModuleFile(path: string): boolean {
  return ['.ts', '.mts', '.js', '.mjs'].includes(extname(path).toLowerCase());
}

/**
 * A module file's default export, else its export called `name`; undefined when it has neither.
 * A TypeScript file that this Node cannot import (before 22.18 it strips no types) is loaded
 * through the project's tsx, found from the file's folder.
 */
export async function importModuleExport(path: string, name: string): Promise<unknown> {
  const absolute = resolve(path);
  try {
    const module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    return module.default ?? module[name];
  } catch (error) {
    const typeScript = ['.ts', '.mts'].includes(extname(absolute).toLowerCase());
    if (!typeScript || (error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  const module = await importThroughTsx(path, absolute);
  const value = module.default ?? module[name];
  // A .ts file in CommonJS format (no "type": "module"): Node's interop gives its exports object.
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

export async function loadSpecFile(path: string): Promise<TelemetrySpec> {
  const absolute = resolve(path);
  const extension = extname(absolute).toLowerCase();
  let spec: unknown;
  if (extension === '.json' || extension === '.yaml' || extension === '.yml') {
    const text = await readFile(absolute, 'utf8');
    try {
      // yaml is loaded only for YAML specs, so the runtime entry never loads a YAML parser.
      spec = extension === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
    } catch (error) {
      throw new Error(
        `${path}: not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      );
    }
  } else if (isModuleFile(absolute)) {
    spec = await importModuleExport(absolute, 'spec');
    if (spec === undefined)
      throw new Error(`${path}: exports no spec (expected a default export or \`spec\`)`);
  } else {
    throw new Error(`${path}: unknown spec format "${extension}" (expected .json, .yaml, .yml, .ts or .js)`);
  }
  // Checked and resolved here, at load: the areas and generators read the model it leaves.
  return resolveSpec(spec as TelemetrySpec).spec;
}
