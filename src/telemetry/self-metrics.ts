// The tail sampler's and the SLO calculator's state as the SDK's own metrics, read at scrape
// and export time (so recording and span end do no metric work for them).
import { sdkSeries } from '../spec/naming.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { SelfGaugeGroupFamily } from '../metrics/self-metrics.js';
import type { SamplerStats } from '../sampling/sampler-stats.js';
import type { TailSamplingProcessor } from '../sampling/tail-sampling-processor.js';
import type { SloEngine } from '../slo/engine.js';
import { sloStatusRows } from '../slo/status-rows.js';

// The sampler's unlabelled counts: one counter family each.
const SAMPLER_COUNTS: readonly (readonly [
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

const EXEMPLAR_KEEPS_REFUSED_HELP =
  "Exemplars not taken because the exemplar rule's tracesPerSecond was used up (the slot kept the exemplar it had).";

/**
 * The sampler's families, then the exemplars refused a keep (the sampler's and, without a sampler
 * or for spans it does not see, `collectorExemplarsRefused`): one stats() per scrape or export
 * for all, so the families of one scrape come from one read.
 */
export function exposeSamplerStats(
  metrics: Metrics,
  sampler: TailSamplingProcessor | undefined,
  collectorExemplarsRefused: () => number,
): void {
  if (sampler === undefined) {
    metrics.selfGauge(
      sdkSeries.exemplarKeepsRefused,
      EXEMPLAR_KEEPS_REFUSED_HELP,
      [],
      () => [{ labels: {}, value: collectorExemplarsRefused() }],
      'counter',
    );
    return;
  }
  const families: SelfGaugeGroupFamily<SamplerStats>[] = [
    {
      name: sdkSeries.samplerDecisions,
      help: 'Tail-sampling decisions by the policy that made them and the outcome.',
      labelNames: ['policy', 'outcome'],
      samples: (stats) =>
        Object.entries(stats.decisions).flatMap(([policy, outcomes]) => [
          { labels: { policy, outcome: 'keep' }, value: outcomes.keep },
          { labels: { policy, outcome: 'drop' }, value: outcomes.drop },
        ]),
      type: 'counter',
    },
    {
      name: sdkSeries.samplerEvictions,
      help: 'Traces decided before they were done, by cause (a cap, their age, or a flush).',
      labelNames: ['cause'],
      samples: (stats) =>
        Object.entries(stats.evictions).map(([cause, value]) => ({ labels: { cause }, value })),
      type: 'counter',
    },
    {
      name: sdkSeries.samplerTruncatedSpans,
      help: 'Spans cut from traces over their span or byte cap.',
      labelNames: [],
      samples: (stats) => [{ labels: {}, value: stats.truncatedSpans }],
      type: 'counter',
    },
    {
      name: sdkSeries.samplerLateSpans,
      help: 'Spans that ended after their trace was decided, by what happened to them (capped: past maxSpansPerTrace late spans of one kept trace, dropped).',
      labelNames: ['outcome'],
      samples: (stats) => {
        const late = stats.lateSpans;
        // capped: of a kept trace, past maxSpansPerTrace late spans (dropped; not in `drop` here).
        return [
          { labels: { outcome: 'keep' }, value: late.kept },
          { labels: { outcome: 'drop' }, value: late.dropped - stats.lateSpansCapped },
          { labels: { outcome: 'capped' }, value: stats.lateSpansCapped },
        ];
      },
      type: 'counter',
    },
    {
      name: sdkSeries.samplerBudgetCeilingDrops,
      help: "Traces a budget policy's threshold would keep, dropped because their key kept over twice its allocation (chosen randomness).",
      labelNames: ['policy'],
      samples: (stats) =>
        Object.entries(stats.budgetCeilingDrops).map(([policy, value]) => ({ labels: { policy }, value })),
      type: 'counter',
    },
    {
      name: sdkSeries.samplerBudgetKeysTruncated,
      help: "Traces whose budget policy's key value was longer than 2048 UTF-8 bytes and cut (values alike up to the cut share one key).",
      labelNames: ['policy'],
      samples: (stats) =>
        Object.entries(stats.budgetKeysTruncated).map(([policy, value]) => ({ labels: { policy }, value })),
      type: 'counter',
    },
    ...SAMPLER_COUNTS.map(([name, help, stat]): SelfGaugeGroupFamily<SamplerStats> => ({
      name,
      help,
      labelNames: [],
      samples: (stats) => [{ labels: {}, value: stats[stat] }],
      type: 'counter',
    })),
    {
      name: sdkSeries.samplerBufferedTraces,
      help: 'Traces waiting for a decision.',
      labelNames: [],
      samples: (stats) => [{ labels: {}, value: stats.bufferedTraces }],
    },
    {
      name: sdkSeries.samplerBufferedBytes,
      help: 'Estimated bytes of the spans waiting for a decision.',
      labelNames: [],
      samples: (stats) => [{ labels: {}, value: stats.bufferedBytes }],
    },
    {
      name: sdkSeries.samplerKeepProbability,
      help: 'Current keep probability per budget policy and key (from the OTEP 235 threshold).',
      labelNames: ['policy', 'key'],
      samples: (stats) =>
        Object.entries(stats.thresholdsByPolicy).flatMap(([policy, byKey]) =>
          Object.entries(byKey).map(([key, threshold]) => ({
            labels: { policy, key },
            value: threshold.probability,
          })),
        ),
    },
    {
      name: sdkSeries.exemplarKeepsRefused,
      help: EXEMPLAR_KEEPS_REFUSED_HELP,
      labelNames: [],
      samples: (stats) => [{ labels: {}, value: stats.exemplarKeepsRefused + collectorExemplarsRefused() }],
      type: 'counter',
    },
  ];
  metrics.selfGaugeGroup(() => sampler.stats(), families);
}

export function exposeSloStatus(metrics: Metrics, engine: SloEngine): void {
  // One status computation per scrape or export, shared by the three gauge families.
  metrics.selfGaugeGroup(
    () => sloStatusRows(engine.status(Date.now())),
    sloStatusRows(engine.status()).map((row): SelfGaugeGroupFamily<ReturnType<typeof sloStatusRows>> => ({
      name: row.name,
      help: row.help,
      labelNames: row.labelNames,
      samples: (rows) => rows.find((r) => r.name === row.name)?.samples ?? [],
    })),
  );
}
