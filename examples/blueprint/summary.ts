// The demo's live terminal summary: one pure function from a snapshot to text, so the demo
// loop only gathers numbers and the layout can be tested.
import type { RelayedTrace } from './otlp-relay.js';
import type { SamplerStatsView, SloStatusView } from './telemetry-port.js';

export interface SummarySnapshot {
  /** Seconds since the load started: how much data every window can hold so far. */
  readonly elapsedSeconds: number;
  /** Accepted requests per second over the last tick (about a second). */
  readonly throughput: number;
  readonly decisions: Readonly<Record<string, number>>;
  /** Accepted requests whose events were stored marked degraded (enrichment late or failed). */
  readonly degradedRequests: number;
  readonly quantiles: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly slos: readonly SloStatusView[];
  readonly sampler: SamplerStatsView | undefined;
  readonly slowExemplars: readonly {
    readonly le: string;
    readonly traceId: string;
    readonly seconds: number;
  }[];
  /** The fault script's current phase. */
  readonly faults: string;
  /** When a chaos profile is on: its name and what it injected, by "kind/target". */
  readonly chaos?:
    { readonly profile: string; readonly injected: Readonly<Record<string, number>> } | undefined;
  readonly health: string;
  /** Security events by event, and by "event/outcome" (plumbline_security_events_total). */
  readonly security: Readonly<Record<string, number>>;
  readonly securityByOutcome: Readonly<Record<string, number>>;
  /** One kept request trace across the services, with its storage batch (from the OTLP relay). */
  readonly keptTrace?: RelayedTrace | undefined;
}

/** What only the final report knows: the whole run rather than its last second and phase. */
export interface RunTotals {
  /** Seconds each fault-script phase ran, in the order they first ran. */
  readonly faultPhaseSeconds: Readonly<Record<string, number>>;
}

/** Lines wrap at this width, between the items they list (an item is never split). */
const WIDTH = 120;
const INDENT = ' '.repeat(11);

/** The live screen, or with `run` the final report's (run average, every fault phase). */
export function renderSummary(s: SummarySnapshot, run?: RunTotals): string {
  const accepted = s.decisions.accepted ?? 0;
  const rejected = Object.entries(s.decisions)
    .filter(([reason, n]) => reason !== 'accepted' && n > 0)
    .sort(([, a], [, b]) => b - a);
  const rejectedTotal = rejected.reduce((sum, [, n]) => sum + n, 0);
  const lastSecond = `${s.throughput.toFixed(0)} req/s last second`;
  const average = `${(accepted / Math.max(1, s.elapsedSeconds)).toFixed(0)} req/s run average`;
  const lines: string[] = [];
  if (run === undefined)
    lines.push(`blueprint demo  t=${s.elapsedSeconds.toFixed(0)}s  health=${s.health}  faults: ${s.faults}`);
  else {
    // The header's fault is only the phase the run ended in: the report lists every phase.
    lines.push(`blueprint demo  ran ${span(s.elapsedSeconds)}  health=${s.health} (at the end)`);
    const phases = Object.entries(run.faultPhaseSeconds).map(
      ([phase, seconds]) => `${phase} ${span(seconds)}`,
    );
    lines.push(...wrap('faults     fault script ran: ', list(phases, ', ')));
  }
  if (s.chaos !== undefined && run === undefined) {
    const injected = Object.entries(s.chaos.injected).map(([kind, n]) => `${kind} ${n}`);
    lines.push(...wrap(`chaos      ${s.chaos.profile}: `, list(injected, ', '), 'nothing yet'));
  }
  lines.push(
    `requests   accepted ${accepted} (${run === undefined ? lastSecond : `${average}, ${lastSecond}`}), ${s.degradedRequests} degraded (enrichment late or failed)`,
    ...wrap(
      `rejected   ${rejectedTotal}${rejected.length > 0 ? ': ' : ''}`,
      list(
        rejected.map(([reason, n]) => `${reason} ${n}`),
        ', ',
      ),
    ),
    `latency    p50 ${ms(s.quantiles.p50)}   p90 ${ms(s.quantiles.p90)}   p99 ${ms(s.quantiles.p99)}   (stored requests, from the /metrics histogram)`,
  );
  if (s.slos.length === 0) lines.push('SLOs       (the telemetry runtime reports no SLO status)');
  const nameWidth = Math.max(0, ...s.slos.map((slo) => slo.slo.length));
  for (const slo of s.slos) lines.push(...sloLines(slo, nameWidth, s.elapsedSeconds));
  if (s.sampler === undefined) lines.push('traces     (tail sampling off)');
  else lines.push(...samplerLines(s.sampler));
  lines.push(...wrap('security   ', list(securityItems(s), ', '), 'no security events yet'));
  const exemplars = s.slowExemplars.map((e) => `le=${e.le}: ${e.traceId} (${ms(e.seconds)})`);
  lines.push(...wrap('exemplars  ', list(exemplars, '   '), 'none yet (slow buckets >= 0.1 s keep one)'));
  lines.push(`trace      ${traceLine(s.keptTrace)}`);
  return lines.join('\n');
}

/**
 * One SLO: burn rate per window and the budget left. A window longer than the run so far holds
 * only the run, so all such windows show the same figure: they share one column that says so.
 * The budget is over the SLO window (the longest of the windows: check.ts refuses a tier window
 * longer than it); until the run has lasted that long it is the engine's figure over the data
 * seen, the budget that would be left if the whole window went like this run.
 */
function sloLines(slo: SloStatusView, nameWidth: number, elapsedSeconds: number): string[] {
  const windows = slo.windows
    .map((w) => ({ ...w, seconds: w.windowMs / 1000 }))
    .sort((a, b) => a.seconds - b.seconds);
  const full = windows.filter((w) => w.seconds <= elapsedSeconds);
  const partial = windows.filter((w) => w.seconds > elapsedSeconds);
  const columns = full.map((w) => `${w.window} ${w.burnRate.toFixed(1)}x`);
  if (partial.length > 0) {
    const names =
      partial.length === 1 ? partial[0]!.window : `${partial[0]!.window}-${partial.at(-1)!.window}`;
    // Equal but for the ring bucket each window's oldest data falls in: a range, if they differ.
    const rates = [...new Set(partial.map((w) => w.burnRate.toFixed(1)))].sort(
      (a, b) => Number(a) - Number(b),
    );
    const rate = rates.length === 1 ? rates[0]! : `${rates[0]!}-${rates.at(-1)!}`;
    columns.push(`${names} ${rate}x (the run's ${span(elapsedSeconds)})`);
  }
  const budget = `budget ${(slo.errorBudgetRemaining * 100).toFixed(1)}%`;
  const firing = slo.tiers.filter((t) => t.firing).map((t) => `${t.tier}/${t.severity}`);
  return wrap(`SLO ${slo.slo.padEnd(nameWidth)} ${String(slo.objective).padStart(5)}%  burn `, [
    ...columns.map((column) => `${column}  `),
    partial.length > 0 ? `${budget} at this run's rate  ` : `${budget}  `,
    ...(firing.length === 0
      ? ['ok']
      : list(firing, ', ').map((tier, i) => (i === 0 ? `FIRING ${tier}` : tier))),
  ]);
}

/**
 * "traces decided 19372 = kept 6344 + dropped 13028; 40 still buffered", then the policies that
 * decided, by the names the spec gives them ("budget" is the sampler's budget policy).
 */
function samplerLines(sampler: SamplerStatsView): string[] {
  const decisions = Object.entries(sampler.decisions);
  const kept = decisions.filter(([, d]) => d.keep > 0).map(([policy, d]) => `${policy} ${d.keep}`);
  const dropped = decisions.filter(([, d]) => d.drop > 0).map(([policy, d]) => `${policy} ${d.drop}`);
  const keptTotal = decisions.reduce((sum, [, d]) => sum + d.keep, 0);
  const droppedTotal = decisions.reduce((sum, [, d]) => sum + d.drop, 0);
  const keptBy = list(kept, ', ').map((item, i) => (i === 0 ? `kept ${item}` : item));
  if (keptBy.length > 0 && dropped.length > 0) keptBy[keptBy.length - 1] += '; ';
  const droppedBy = list(dropped, ', ').map((item, i) => (i === 0 ? `dropped ${item}` : item));
  return [
    `traces     decided ${keptTotal + droppedTotal} = kept ${keptTotal} + dropped ${droppedTotal}; ${sampler.bufferedTraces} still buffered (tail sampler)`,
    ...wrap(`${INDENT}by policy: `, [...keptBy, ...droppedBy], 'none yet'),
  ];
}

/** The items with `separator` after each but the last: pieces for wrap(). */
function list(items: readonly string[], separator: string): string[] {
  return items.map((item, i) => (i < items.length - 1 ? `${item}${separator}` : item));
}

/**
 * `prefix` then the pieces, each carrying the separator that follows it, starting a new line
 * (indented under the label) before a piece that would pass WIDTH; `empty` when there are none.
 */
function wrap(prefix: string, pieces: readonly string[], empty = ''): string[] {
  if (pieces.length === 0) return [`${prefix}${empty}`.trimEnd()];
  const lines: string[] = [];
  let line = prefix;
  for (const piece of pieces) {
    if (line !== prefix && `${line}${piece}`.trimEnd().length > WIDTH) {
      lines.push(line.trimEnd());
      line = `${INDENT}${piece.trimStart()}`;
    } else line += piece;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** "42 s", "6 min", "2.5 h", "31.0 d". */
function span(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
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

/** "auth.failed 12 (missing_token 6, wrong_token 6)", one item per event kind. */
function securityItems(s: SummarySnapshot): string[] {
  return Object.entries(s.security)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([event, n]) => {
      const outcomes = Object.entries(s.securityByOutcome)
        .filter(([key, count]) => key.startsWith(`${event}/`) && count > 0)
        .map(([key, count]) => `${key.slice(event.length + 1)} ${count}`);
      return `${event} ${n}${outcomes.length > 0 ? ` (${outcomes.join(', ')})` : ''}`;
    });
}

function ms(seconds: number): string {
  return Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(1)} ms` : 'n/a';
}
