// The in-process decision for one synthetic trace of the shared corpus, through the very policy
// objects the processor uses. The collector side runs the same corpus through the generated
// tail_sampling config; both must agree wherever the outcome is not left to the budget.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { SamplingSpec } from '../spec/types.js';
import { buildPolicies } from './build-policies.js';
import type { PolicySpan, TraceView } from './policy.js';
import { NO_MATCH } from './tail-sampling-processor.js';
import { keepsAt, randomnessOf } from './threshold.js';

export interface CorpusSpan {
  readonly spanId: string;
  /** Absent for the trace's root. */
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** Offset from the trace's start, whole ms. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly status: 'unset' | 'ok' | 'error';
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

export interface CorpusTrace {
  readonly traceId: string;
  readonly description: string;
  readonly resource: Readonly<Record<string, string>>;
  readonly spans: readonly CorpusSpan[];
  readonly expected: CorpusDecision;
}

export interface CorpusDecision {
  /** 'budget': no rule matched; the outcome is the budget's (probabilistic) call. */
  readonly outcome: 'keep' | 'drop' | 'budget';
  readonly policy: string;
}

export interface SamplingCorpus {
  readonly description: string;
  readonly sampling: SamplingSpec;
  readonly traces: readonly CorpusTrace[];
}

export interface CorpusDecisionOptions {
  /** Decide budget traces at this fixed 14-digit threshold instead of reporting 'budget'. */
  readonly budgetThreshold?: string;
  readonly exemplar?: boolean;
}

const KINDS: Readonly<Record<CorpusSpan['kind'], SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};
const STATUSES = { unset: SpanStatusCode.UNSET, ok: SpanStatusCode.OK, error: SpanStatusCode.ERROR } as const;

export function decideCorpusTrace(
  spec: SamplingSpec,
  trace: CorpusTrace,
  options: CorpusDecisionOptions = {},
): CorpusDecision {
  const spans = trace.spans.map((span) => toPolicySpan(trace, span));
  const rootIndex = trace.spans.findIndex((span) => span.parentSpanId === undefined);
  const root = rootIndex >= 0 ? spans[rootIndex] : undefined;
  const view: TraceView = {
    traceId: trace.traceId,
    localRoot: root,
    rootDurationMs: rootIndex >= 0 ? trace.spans[rootIndex]!.durationMs : undefined,
    spans,
    exemplar: options.exemplar ?? false,
    randomness: randomnessOf(trace.traceId),
  };
  for (const policy of buildPolicies(spec.policies)) {
    if (policy.kind === 'budget') {
      if (options.budgetThreshold === undefined) return { outcome: 'budget', policy: policy.name };
      return {
        outcome: keepsAt(view.randomness, options.budgetThreshold) ? 'keep' : 'drop',
        policy: policy.name,
      };
    }
    const decision = policy.evaluate(view, 0);
    if (decision.verdict !== 'abstain') return { outcome: decision.verdict, policy: policy.name };
  }
  return { outcome: 'drop', policy: NO_MATCH };
}

function toPolicySpan(trace: CorpusTrace, span: CorpusSpan): PolicySpan {
  const context: SpanContext = { traceId: trace.traceId, spanId: span.spanId, traceFlags: 1 };
  const parent: SpanContext | undefined =
    span.parentSpanId === undefined
      ? undefined
      : { traceId: trace.traceId, spanId: span.parentSpanId, traceFlags: 1 };
  const duration: HrTime = [Math.floor(span.durationMs / 1000), (span.durationMs % 1000) * 1e6];
  return {
    name: span.name,
    kind: KINDS[span.kind],
    status: { code: STATUSES[span.status] },
    attributes: span.attributes as Attributes,
    duration,
    ...(parent === undefined ? {} : { parentSpanContext: parent }),
    resource: { attributes: trace.resource },
    spanContext: () => context,
  };
}
