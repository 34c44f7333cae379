// What the runtime loads only once it is used (pino and its safe stringifier, ajv's compiler, the OTLP exporters,
// sdk-logs, sdk-metrics), so `import('plumbline')` does not pay for them. `onUse(name)` is the one
// way to load them: a synchronous require, typed by the table below, so no caller casts. The ESM
// build makes the require from its module URL; in the CommonJS build (scripts/build-cjs.mjs)
// import.meta.url is undefined and the module's file name serves. A bundler does not see these
// requires, so a bundle that takes plumbline in must leave it external (docs/install.md#bundling).
import { createRequire } from 'node:module';
import type * as Ajv from 'ajv';
import type * as ApiLogs from '@opentelemetry/api-logs';
import type * as LogExporter from '@opentelemetry/exporter-logs-otlp-http';
import type * as TraceExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as Pino from 'pino';
import type * as SafeStableStringify from 'safe-stable-stringify';

/** The require made from plumbline's own location (in a bundle, the bundle's). */
export const requireOnUse: NodeJS.Require = createRequire(import.meta.url ?? __filename);

/** The packages loaded on first use, and what each answers. */
interface LoadedOnUse {
  pino: typeof Pino;
  ajv: typeof Ajv;
  '@opentelemetry/sdk-metrics': typeof SdkMetrics;
  '@opentelemetry/sdk-logs': typeof SdkLogs;
  '@opentelemetry/api-logs': typeof ApiLogs;
  '@opentelemetry/exporter-trace-otlp-http': typeof TraceExporter;
  '@opentelemetry/exporter-logs-otlp-http': typeof LogExporter;
  'safe-stable-stringify': typeof SafeStableStringify;
}

/**
 * What a user reads when `name` itself is not found from plumbline's location, typically because
 * plumbline was bundled and the bundle runs where no node_modules holds `name`.
 */
export function notFoundOnUseMessage(name: string): string {
  return (
    `plumbline: cannot find '${name}', which plumbline loads on first use with a require from its ` +
    "own location. A bundler does not see that require: keep 'plumbline' and '@opentelemetry/*' " +
    "external in the bundle (esbuild --external:plumbline --external:'@opentelemetry/*') and " +
    'install them beside it (docs/install.md#bundling). Not bundled: install ' +
    `'${name}' where plumbline is installed.`
  );
}

/** Loads `name` now (require caches it: the first call pays, later ones look it up). */
export function onUse<Name extends keyof LoadedOnUse>(name: Name): LoadedOnUse[Name] {
  try {
    return requireOnUse(name) as LoadedOnUse[Name];
  } catch (error) {
    if (isNotFound(error, name)) throw new Error(notFoundOnUseMessage(name), { cause: error });
    throw error;
  }
}

/** `name` itself is missing, not a module that `name` requires (that error is its own). */
function isNotFound(error: unknown, name: string): boolean {
  const failure = error as { code?: unknown; message?: unknown } | null | undefined;
  return (
    failure?.code === 'MODULE_NOT_FOUND' &&
    typeof failure.message === 'string' &&
    failure.message.startsWith(`Cannot find module '${name}'`)
  );
}
