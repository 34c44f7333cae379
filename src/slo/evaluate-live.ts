// Reads an SLO's windows from a running Prometheus (HTTP API, instant queries over the raw
// series, so it works with or without the generated recording rules loaded) and reports them
// exactly as the in-process engine would.

import { resolveSpec } from '../spec/model.js';
import type { AttributeMatch, TelemetrySpec } from '../spec/types.js';
import { errorRatioExpr, eventsExpr, sliSeries } from './sli-promql.js';
import { statusFromCounts, type SloStatus } from './engine.js';

export interface LiveOptions {
  /** Extra label matchers on every SLI series, e.g. { job: ['checkout'] }. */
  readonly seriesMatchers?: AttributeMatch;
  /** Evaluation time in epoch ms (default: Prometheus' now). */
  readonly time?: number;
  readonly fetch?: typeof fetch;
}

export async function evaluateLive(
  spec: TelemetrySpec,
  prometheusUrl: string,
  options: LiveOptions = {},
): Promise<SloStatus[]> {
  const doFetch = options.fetch ?? fetch;
  const base = prometheusUrl.replace(/\/+$/, '');
  const query = async (promql: string): Promise<number> => {
    const params = new URLSearchParams({ query: promql });
    if (options.time !== undefined) params.set('time', String(options.time / 1000));
    const response = await doFetch(`${base}/api/v1/query?${params}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { value: [number, string] }[] };
    };
    if (body.status !== 'success')
      throw new Error(`Prometheus refused ${promql}: ${body.error ?? response.status}`);
    const first = body.data?.result[0];
    // No series: no traffic in that window.
    const value = first === undefined ? 0 : Number(first.value[1]);
    return Number.isFinite(value) ? value : 0;
  };
  const statuses: SloStatus[] = [];
  for (const slo of resolveSpec(spec).slos) {
    const series = sliSeries(slo, spec, options.seriesMatchers);
    const counts = new Map<string, { total: number; bad: number }>();
    await Promise.all(
      slo.windows.map(async (window) => {
        const [ratio, events] = await Promise.all([
          query(errorRatioExpr(series, window)),
          query(eventsExpr(series, window)),
        ]);
        counts.set(window, { total: events, bad: ratio * events });
      }),
    );
    statuses.push(statusFromCounts(slo, counts));
  }
  return statuses;
}
