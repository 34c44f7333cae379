// The demo's live terminal summary: one pure function from a snapshot to text, so the demo
// loop only gathers numbers and the layout can be tested.
import type { RelayedTrace } from './otlp-relay.js';
import type { SamplerStatsView, SloStatusView } from './telemetry-port.js';

export interface SummarySnapshot {
  readonly elapsedSeconds: number;
  /** Accepted requests per second over the last interval. */
  readonly throughput: number;
  readonly decisions: Readonly<Record<string, number>>;
  readonly quantiles: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly slos: readonly SloStatusView[];
  readonly sampler: SamplerStatsView | undefined;
  readonly slowExemplars: readonly {
    readonly le: string;
    readonly traceId: string;
    readonly seconds: number;
  }[];
  readonly faults: string;
  readonly health: string;
  /** Security events by event, and by "event/outcome" (plumbline_security_events_total). */
  readonly security: Readonly<Record<string, number>>;
  readonly securityByOutcome: Readonly<Record<string, number>>;
  /** One kept request trace across the services, with its storage batch (from the OTLP relay). */
  readonly keptTrace?: RelayedTrace | undefined;
}

export function renderSummary(s: SummarySnapshot): string {
  const accepted = s.decisions.accepted ?? 0;
  const rejected = Object.entries(s.decisions).filter(([reason]) => reason !== 'accepted');
  const rejectedTotal = rejected.reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `blueprint demo  t=${s.elapsedSeconds.toFixed(0)}s  health=${s.health}  faults: ${s.faults}`,
    `throughput ${s.throughput.toFixed(0).padStart(6)} req/s   accepted ${accepted}   rejected ${rejectedTotal}${rejected.length > 0 ? ` (${rejected.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    `latency    p50 ${ms(s.quantiles.p50)}   p90 ${ms(s.quantiles.p90)}   p99 ${ms(s.quantiles.p99)}   (stored requests, from the /metrics histogram)`,
  ];
  if (s.slos.length === 0) lines.push('SLOs       (the telemetry runtime reports no SLO status)');
  for (const slo of s.slos) {
    const burn = slo.windows.map((w) => `${w.window} ${w.burnRate.toFixed(1)}x`).join('  ');
    const firing = slo.tiers.filter((t) => t.firing).map((t) => `${t.tier}/${t.severity}`);
    lines.push(
      `SLO ${slo.slo.padEnd(13)} ${String(slo.objective).padStart(5)}%  burn ${burn}  budget ${(slo.errorBudgetRemaining * 100).toFixed(1)}%  ${firing.length > 0 ? `FIRING ${firing.join(', ')}` : 'ok'}`,
    );
  }
  if (s.sampler === undefined) lines.push('sampler    (tail sampling off)');
  else {
    const kept = Object.entries(s.sampler.decisions).filter(([, d]) => d.keep > 0);
    const dropped = Object.values(s.sampler.decisions).reduce((sum, d) => sum + d.drop, 0);
    lines.push(
      `sampler    kept ${kept.map(([policy, d]) => `${policy} ${d.keep}`).join(', ') || 'none yet'}   dropped ${dropped}`,
    );
  }
  lines.push(`security   ${securityLine(s)}`);
  lines.push(
    `exemplars  ${s.slowExemplars.length === 0 ? 'none yet (slow buckets >= 0.1 s keep one)' : s.slowExemplars.map((e) => `le=${e.le}: ${e.traceId} (${ms(e.seconds)})`).join('   ')}`,
  );
  lines.push(`trace      ${traceLine(s.keptTrace)}`);
  return lines.join('\n');
}

/** "4bf9… kept: blueprint 5 spans, geo 1, profile 1; storage batch 8a7e… (1 span, linked)". */
function traceLine(kept: RelayedTrace | undefined): string {
  if (kept === undefined) return 'no kept request trace seen in all three services yet';
  const services = Object.entries(kept.spansByService)
    .sort(([a], [b]) => (a === 'blueprint' ? -1 : b === 'blueprint' ? 1 : a.localeCompare(b)))
    .map(([service, spans]) => `${service} ${spans} span${spans === 1 ? '' : 's'}`)
    .join(', ');
  const batch =
    kept.batch === undefined
      ? 'its storage batch not exported yet'
      : `storage batch ${kept.batch.traceId} (${kept.batch.spans} span${kept.batch.spans === 1 ? '' : 's'}, linked)`;
  return `${kept.traceId} kept: ${services}; ${batch}`;
}

/** "auth.failed 12 (missing_token 6, wrong_token 6), rate_limit.tripped 3 (queue_full 3)". */
function securityLine(s: SummarySnapshot): string {
  const events = Object.entries(s.security).filter(([, n]) => n > 0);
  if (events.length === 0) return 'no security events yet';
  return events
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([event, n]) => {
      const outcomes = Object.entries(s.securityByOutcome)
        .filter(([key, count]) => key.startsWith(`${event}/`) && count > 0)
        .map(([key, count]) => `${key.slice(event.length + 1)} ${count}`);
      return `${event} ${n}${outcomes.length > 0 ? ` (${outcomes.join(', ')})` : ''}`;
    })
    .join(', ');
}

function ms(seconds: number): string {
  return Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(1)} ms` : 'n/a';
}
