// Loads a telemetry spec from a file, so tools that are not TypeScript can read it too:
// .json, .yaml/.yml, or a .ts/.js module whose default export (or `spec` export) is the spec.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveSpec } from './model.js';
import type { TelemetrySpec } from './types.js';

/** Whether `path` names a module this loader imports (.ts, .mts, .js, .mjs). */
export function isModuleFile(path: string): boolean {
  return ['.ts', '.mts', '.js', '.mjs'].includes(extname(path).toLowerCase());
}

/** A module file's default export, else its export called `name`; undefined when it has neither. */
export async function importModuleExport(path: string, name: string): Promise<unknown> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  return module.default ?? module[name];
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
