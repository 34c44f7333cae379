// What the runtime loads only once it is used (pino and its safe stringifier, ajv's compiler, the OTLP exporters,
// sdk-logs, sdk-metrics), so `import('plumbline')` does not pay for them. `onUse(name)` is the one
// way to load them: a synchronous require, typed by the table below, so no caller casts. The ESM
// build makes the require from its module URL; in the CommonJS build (scripts/build-cjs.mjs)
// import.meta.url is undefined and the module's file name serves.
import { createRequire } from 'node:module';
import type * as Ajv from 'ajv';
import type * as LogExporter from '@opentelemetry/exporter-logs-otlp-http';
import type * as TraceExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as SdkLogs from '@opentelemetry/sdk-logs';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as Pino from 'pino';
import type * as SafeStableStringify from 'safe-stable-stringify';

/** The plain require; the precompiled spec validator loads ajv's runtime helpers with it. */
export const requireOnUse: NodeJS.Require = createRequire(import.meta.url ?? __filename);

/** The packages loaded on first use, and what each answers. */
interface LoadedOnUse {
  pino: typeof Pino;
  ajv: typeof Ajv;
  '@opentelemetry/sdk-metrics': typeof SdkMetrics;
  '@opentelemetry/sdk-logs': typeof SdkLogs;
  '@opentelemetry/exporter-trace-otlp-http': typeof TraceExporter;
  '@opentelemetry/exporter-logs-otlp-http': typeof LogExporter;
  'safe-stable-stringify': typeof SafeStableStringify;
}

/** Loads `name` now (require caches it: the first call pays, later ones look it up). */
export function onUse<Name extends keyof LoadedOnUse>(name: Name): LoadedOnUse[Name] {
  return requireOnUse(name) as LoadedOnUse[Name];
}
