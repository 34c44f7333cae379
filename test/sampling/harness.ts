// Test rig: a real BasicTracerProvider with ParentBased(AlwaysOn) in front of the tail sampler,
// an in-memory exporter behind it, seeded trace IDs and a hand-driven clock.
import type { Tracer } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { IdGenerator, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../../src/spec/types.js';
import type { TailSamplingOptions } from '../../src/sampling/tail-sampling-processor.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { seededHex, seededRandom } from '../../scripts/seeded.js';

export { seededRandom };

export function seededIds(seed: number): IdGenerator {
  const hex = seededHex(seededRandom(seed));
  return { generateTraceId: () => hex(32), generateSpanId: () => hex(16) };
}

export class FakeClock {
  constructor(public ms = 1_000) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Rig {
  readonly tracer: Tracer;
  readonly processor: TailSamplingProcessor;
  readonly exporter: InMemorySpanExporter;
  readonly clock: FakeClock;
  readonly provider: BasicTracerProvider;
  /** Exported spans (what the next processor received). */
  exported(): ReadableSpan[];
  /** Distinct trace IDs exported. */
  exportedTraces(): Set<string>;
}

export function rig(
  spec: SamplingSpec,
  options: { seed?: number; processor?: TailSamplingOptions; ids?: IdGenerator } = {},
): Rig {
  const clock = new FakeClock();
  const exporter = new InMemorySpanExporter();
  const processor = new TailSamplingProcessor(spec, new SimpleSpanProcessor(exporter), {
    now: clock.now,
    ...options.processor,
  });
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    idGenerator: options.ids ?? seededIds(options.seed ?? 1),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('sampling-test');
  return {
    tracer,
    processor,
    exporter,
    clock,
    provider,
    exported: () => exporter.getFinishedSpans(),
    exportedTraces: () => new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId)),
  };
}
