// Loads a telemetry spec from a file, so tools that are not TypeScript can read it too:
// .json, .yaml/.yml, or a .ts/.js module whose default export (or `spec` export) is the spec.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveSpec } from './model.js';
import type { TelemetrySpec } from './types.js';

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
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(extension)) {
    const module = (await import(pathToFileURL(absolute).href)) as { default?: unknown; spec?: unknown };
    spec = module.default ?? module.spec;
    if (spec === undefined)
      throw new Error(`${path}: exports no spec (expected a default export or \`spec\`)`);
  } else {
    throw new Error(`${path}: unknown spec format "${extension}" (expected .json, .yaml, .yml, .ts or .js)`);
  }
  // Checked and resolved here, at load: the areas and generators read the model it leaves.
  return resolveSpec(spec as TelemetrySpec).spec;
}
