// For test files about the OTel environment variables plumbline reads: the variables a file names
// (and OTEL_EXPORTER_OTLP_ENDPOINT) are saved when it loads, set to exactly what each case gives,
// and put back after each test, once the test's telemetry and receivers are shut down.
import { afterEach } from 'vitest';
import {
  createTelemetry,
  type Telemetry,
  type TelemetryOptions,
  type TelemetrySpec,
} from '../../src/index.js';
import { captureLines } from './capture.js';

export interface OtelVariablesTest<Name extends string> {
  /** Run after each test, last first, before the variables are put back. */
  readonly cleanups: (() => unknown)[];
  /**
   * createTelemetry(spec) exporting to `endpoint` (as OTEL_EXPORTER_OTLP_ENDPOINT) with exactly
   * `values` of the named variables set (the others unset), its event lines captured; shut down
   * after the test.
   */
  telemetry<const S extends TelemetrySpec>(
    spec: S,
    endpoint: string,
    values: Partial<Record<Name, string>>,
    options?: TelemetryOptions,
  ): Telemetry<S>;
}

export function otelVariablesTest<const Name extends string>(
  names: readonly Name[],
): OtelVariablesTest<Name> {
  const all = ['OTEL_EXPORTER_OTLP_ENDPOINT', ...names];
  const saved = new Map(all.map((name) => [name, process.env[name]] as const));
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  return {
    cleanups,
    telemetry(spec, endpoint, values, options = {}) {
      for (const name of all) delete process.env[name];
      Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...values });
      const telemetry = createTelemetry(spec, { logDestination: captureLines().destination, ...options });
      cleanups.push(() => telemetry.shutdown());
      return telemetry;
    },
  };
}

/** plumbline_telemetry_dropped_total above 0, by "signal/reason" (e.g. "span/export_failed"). */
export function droppedCounts(telemetry: Telemetry): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const line of telemetry.metrics.serialize().body.split('\n')) {
    const match = /^plumbline_telemetry_dropped_total\{signal="(\w+)",reason="(\w+)"\} (\S+)$/.exec(line);
    if (match && Number(match[3]) > 0) counted[`${match[1]}/${match[2]}`] = Number(match[3]);
  }
  return counted;
}
