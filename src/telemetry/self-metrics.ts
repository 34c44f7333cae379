// The tail sampler's and the SLO calculator's state as the SDK's own metrics, read at scrape
// and export time (so recording and span end do no metric work for them).
import { sdkSeries } from '../spec/naming.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { TailSamplingProcessor } from '../sampling/tail-sampling-processor.js';
import type { SloEngine } from '../slo/engine.js';
import { sloStatusRows } from '../slo/status-rows.js';

export function exposeSamplerStats(metrics: Metrics, sampler: TailSamplingProcessor): void {
  metrics.selfGauge(
    sdkSeries.samplerDecisions,
    'Tail-sampling decisions by the policy that made them and the outcome.',
    ['policy', 'outcome'],
    () =>
      Object.entries(sampler.stats().decisions).flatMap(([policy, outcomes]) => [
        { labels: { policy, outcome: 'keep' }, value: outcomes.keep },
        { labels: { policy, outcome: 'drop' }, value: outcomes.drop },
      ]),
    'counter',
  );
  metrics.selfGauge(
    sdkSeries.samplerEvictions,
    'Traces decided before they were done, by cause (a cap, their age, or a flush).',
    ['cause'],
    () => Object.entries(sampler.stats().evictions).map(([cause, value]) => ({ labels: { cause }, value })),
    'counter',
  );
  metrics.selfGauge(
    sdkSeries.samplerTruncatedSpans,
    'Spans cut from traces over their span or byte cap.',
    [],
    () => [{ labels: {}, value: sampler.stats().truncatedSpans }],
    'counter',
  );
  metrics.selfGauge(
    sdkSeries.samplerLateSpans,
    'Spans that ended after their trace was decided, by what happened to them (capped: past maxSpansPerTrace late spans of one kept trace, dropped).',
    ['outcome'],
    () => {
      const stats = sampler.stats();
      const late = stats.lateSpans;
      // capped: of a kept trace, past maxSpansPerTrace late spans (dropped; not in `drop` here).
      return [
        { labels: { outcome: 'keep' }, value: late.kept },
        { labels: { outcome: 'drop' }, value: late.dropped - stats.lateSpansCapped },
        { labels: { outcome: 'capped' }, value: stats.lateSpansCapped },
      ];
    },
    'counter',
  );
  metrics.selfGauge(
    sdkSeries.samplerBudgetCeilingDrops,
    "Traces a budget policy's threshold would keep, dropped because their key kept over twice its allocation (chosen randomness).",
    ['policy'],
    () =>
      Object.entries(sampler.stats().budgetCeilingDrops).map(([policy, value]) => ({
        labels: { policy },
        value,
      })),
    'counter',
  );
  metrics.selfGauge(
    sdkSeries.samplerBudgetKeysTruncated,
    "Traces whose budget policy's key value was longer than 2048 UTF-8 bytes and cut (values alike up to the cut share one key).",
    ['policy'],
    () =>
      Object.entries(sampler.stats().budgetKeysTruncated).map(([policy, value]) => ({
        labels: { policy },
        value,
      })),
    'counter',
  );
  // The sampler's unlabelled counts: one counter family each.
  const counts: readonly (readonly [
    string,
    string,
    'tracestateDropped' | 'inboundThresholdsErased' | 'tracestateErrors' | 'policyErrors',
  ])[] = [
    [
      sdkSeries.samplerTracestateDropped,
      "Inbound tracestate parts left out of kept spans' tracestate: ot sub-keys the grammar refuses or that did not fit beside th, other vendors' members past the W3C limits (512 characters, 32 members).",
      'tracestateDropped',
    ],
    [
      sdkSeries.samplerInboundThresholdsErased,
      "Traces whose inbound ot=th their own randomness fails (the caller's decision was inconsistent), erased before the decision.",
      'inboundThresholdsErased',
    ],
    [
      sdkSeries.samplerTracestateErrors,
      "Calls into a span's inbound TraceState (the app's own implementation, or a propagator's) that threw or gave no string; the span was kept with what could be read.",
      'tracestateErrors',
    ],
    [
      sdkSeries.samplerPolicyErrors,
      'Answers of sampling policies of your own that threw or were not keep, drop or abstain (taken as abstentions).',
      'policyErrors',
    ],
  ];
  for (const [series, help, stat] of counts)
    metrics.selfGauge(series, help, [], () => [{ labels: {}, value: sampler.stats()[stat] }], 'counter');
  metrics.selfGauge(sdkSeries.samplerBufferedTraces, 'Traces waiting for a decision.', [], () => [
    { labels: {}, value: sampler.stats().bufferedTraces },
  ]);
  metrics.selfGauge(
    sdkSeries.samplerBufferedBytes,
    'Estimated bytes of the spans waiting for a decision.',
    [],
    () => [{ labels: {}, value: sampler.stats().bufferedBytes }],
  );
  metrics.selfGauge(
    sdkSeries.samplerKeepProbability,
    'Current keep probability per budget policy and key (from the OTEP 235 threshold).',
    ['policy', 'key'],
    () =>
      Object.entries(sampler.stats().thresholdsByPolicy).flatMap(([policy, byKey]) =>
        Object.entries(byKey).map(([key, threshold]) => ({
          labels: { policy, key },
          value: threshold.probability,
        })),
      ),
  );
}

export function exposeSloStatus(metrics: Metrics, engine: SloEngine): void {
  // One status computation per scrape, shared by the three gauge families.
  let cached: { at: number; rows: ReturnType<typeof sloStatusRows> } | undefined;
  const rows = () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > 100)
      cached = { at: now, rows: sloStatusRows(engine.status(now)) };
    return cached.rows;
  };
  for (const row of sloStatusRows(engine.status())) {
    metrics.selfGauge(
      row.name,
      row.help,
      row.labelNames,
      () => rows().find((r) => r.name === row.name)?.samples ?? [],
    );
  }
}
