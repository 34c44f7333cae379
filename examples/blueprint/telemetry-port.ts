// What the blueprint needs from a telemetry runtime, and the "plumbline off" implementation
// (no-op providers) the bench compares against. `openTelemetry` is where the real one plugs in.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProxyTracerProvider, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import {
  createTelemetry,
  type CounterName,
  type EventFields,
  type EventName,
  type GaugeName,
  type HistogramName,
} from './plumbline.js';
import { ensurePrivateFile } from './private-file.js';
import { spec, type BlueprintSpec } from './telemetry.js';

type Events = BlueprintSpec['events'];

/** The part of plumbline's SloStatus the blueprint reads (health and the demo summary). */
export interface SloStatusView {
  readonly slo: string;
  readonly objective: number;
  readonly windows: readonly {
    readonly window: string;
    readonly windowMs: number;
    readonly burnRate: number;
    readonly events: number;
  }[];
  readonly tiers: readonly {
    readonly tier: string;
    readonly severity: 'page' | 'ticket';
    readonly firing: boolean;
    readonly burnRateThreshold: number;
    readonly longWindow: string;
    readonly shortWindow: string;
    readonly longBurnRate: number;
    readonly shortBurnRate: number;
  }[];
  /** Share of the SLO window's budget left: 1 untouched, 0 or below spent. */
  readonly errorBudgetRemaining: number;
}

/** The part of plumbline's SamplerStats the demo reads: decisions by the policy that made them. */
export interface SamplerStatsView {
  readonly decisions: Readonly<Record<string, { readonly keep: number; readonly drop: number }>>;
  /** Traces waiting for their decision now. */
  readonly bufferedTraces: number;
}

/** Exactly the members of plumbline's `createTelemetry` result the blueprint uses. */
export interface TelemetryPort {
  readonly log: {
    /** `context`: the request's, whose trace_id and span_id the line carries (default the active one). */
    event<N extends EventName<BlueprintSpec>>(
      name: N,
      fields: EventFields<Events[N]>,
      context?: Context,
    ): void;
  };
  readonly metrics: {
    histogram(name: HistogramName<BlueprintSpec>): {
      /** `context`: where the exemplar's span is read from (default the active context). */
      record(value: number, attributes?: Attributes, context?: Context): void;
    };
    counter(name: CounterName<BlueprintSpec>): { add(value: number, attributes?: Attributes): void };
    gauge(name: GaugeName<BlueprintSpec>): { set(value: number, attributes?: Attributes): void };
  };
  readonly tracer: Tracer;
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly slo: { status(): readonly SloStatusView[] };
  readonly sampler?: { stats(): SamplerStatsView };
  histogramQuantile(q: number, upperBounds: readonly number[], cumulativeCounts: readonly number[]): number;
  shutdown(): Promise<void>;
}

/**
 * The createTelemetry options the blueprint sets: where event logs go, where OTLP goes, and the
 * bounds that keep a failing pipeline from hurting the service (the telemetry-failure tests and
 * bench tighten them); spanProcessors let tests see the traces the tail sampler keeps.
 */
export type TelemetryOptions = Pick<
  NonNullable<Parameters<typeof createTelemetry>[1]>,
  | 'logDestination'
  | 'securityLogDestination'
  | 'securityLog'
  | 'otlpEndpoint'
  | 'otlpLogs'
  | 'exportTimeoutMs'
  | 'maxQueuedSpans'
  | 'maxQueuedLogRecords'
  | 'maxPendingMetricExports'
  | 'metricExportIntervalMs'
  | 'logMaxBufferedBytes'
  | 'maxConcurrentScrapes'
  | 'scrapeTimeoutMs'
  | 'spanProcessors'
>;

const noopInstrument = { record() {}, add() {}, set() {} };

/** Plumbline off: every call is a no-op and the tracer is OTel's no-op tracer. */
export function createNoopTelemetry(): TelemetryPort {
  return {
    log: { event() {} },
    metrics: { histogram: () => noopInstrument, counter: () => noopInstrument, gauge: () => noopInstrument },
    // A provider of our own, never the global one, so "off" stays off whatever else is registered.
    tracer: new ProxyTracerProvider().getTracer('blueprint-off'),
    metricsHandler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end('');
    },
    slo: { status: () => [] },
    histogramQuantile: () => NaN,
    shutdown: async () => {},
  };
}

/** The blueprint's telemetry runtime: plumbline's createTelemetry over the blueprint spec. */
export async function openTelemetry(options: TelemetryOptions = {}): Promise<TelemetryPort> {
  // Log files are created owner-only (0600) before the logger opens them for appending.
  for (const destination of [options.logDestination, options.securityLogDestination])
    if (typeof destination === 'string') ensurePrivateFile(destination);
  const telemetry = createTelemetry(spec, options);
  // slo, sampler and histogramQuantile are read when the runtime has them (the SDK grows them).
  const extra = telemetry as unknown as Partial<Pick<TelemetryPort, 'slo' | 'sampler' | 'histogramQuantile'>>;
  return {
    log: telemetry.log,
    metrics: telemetry.metrics,
    tracer: telemetry.tracer,
    metricsHandler: telemetry.metricsHandler,
    slo: extra.slo ?? { status: () => [] },
    sampler: extra.sampler,
    histogramQuantile: extra.histogramQuantile?.bind(telemetry) ?? (() => NaN),
    shutdown: () => telemetry.shutdown(),
  };
}
