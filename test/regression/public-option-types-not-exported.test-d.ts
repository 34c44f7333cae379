// Regression: OtlpTls, the type of OtlpJsonMetricExporter's `tls` option, was not exported from
// the package entry, so a service that builds the option apart (`const tls: OtlpTls = ...`) could
// not name it (TS2305 "has no exported member"), nor import it from a deep path the package's
// exports map refuses. A tsc probe over every export of src/index.ts (each option, parameter,
// member and result type declared in src/) found eight more such types; each is now exported.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  decideCorpusTrace,
  CorpusDecisionOptions,
  ErrorBudgetSpec,
  EventLoggerOptions,
  ExemplarHook,
  JsonSchema,
  LogBridge,
  metricsRequestHandler,
  MetricsOptions,
  MoreMetrics,
  OtlpJsonMetricExporterOptions,
  OtlpTls,
  PolicyDecision,
  SamplingPolicySpec,
  SliModel,
  SloModel,
  specLineSchemaDocument,
  Verdict,
} from '../../src/index.js';

describe('public option types not exported', () => {
  it('names each type a public option, parameter or result is made of', () => {
    expectTypeOf<NonNullable<OtlpJsonMetricExporterOptions['tls']>>().toEqualTypeOf<OtlpTls>();
    expectTypeOf<NonNullable<EventLoggerOptions['bridge']>>().toEqualTypeOf<LogBridge>();
    expectTypeOf<NonNullable<MetricsOptions['onExemplar']>>().toEqualTypeOf<ExemplarHook>();
    expectTypeOf<NonNullable<Parameters<typeof metricsRequestHandler>[1]>>().toEqualTypeOf<MoreMetrics>();
    expectTypeOf<
      NonNullable<Parameters<typeof decideCorpusTrace>[2]>
    >().toEqualTypeOf<CorpusDecisionOptions>();
    expectTypeOf<
      NonNullable<Extract<SamplingPolicySpec, { kind: 'errors' }>['budget']>
    >().toEqualTypeOf<ErrorBudgetSpec>();
    expectTypeOf<PolicyDecision['verdict']>().toEqualTypeOf<Verdict>();
    expectTypeOf<SloModel['sli']>().toEqualTypeOf<SliModel>();
    expectTypeOf<ReturnType<typeof specLineSchemaDocument>>().toEqualTypeOf<JsonSchema>();
    // What a service writes with it: PEM text or a file's bytes.
    const tls: OtlpTls = { ca: '-----BEGIN CERTIFICATE-----', cert: Buffer.from('') };
    expectTypeOf(tls).toMatchTypeOf<OtlpJsonMetricExporterOptions['tls']>();
  });
});
