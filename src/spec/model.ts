// The spec model: a spec checked once and resolved once (SLO models, bucket plans, sampling
// defaults), which every runtime area and every generator reads instead of checking or resolving
// its own section. Built at load (defineTelemetry, loadSpecFile) and answered from then on.
import { resolveSlo, type SloModel } from '../slo/model.js';
import { resolveBoundaries } from './buckets.js';
import { resolveSampling, type SamplingSettings } from './sampling-settings.js';
import type { CounterSpec, EventSpec, GaugeSpec, HistogramSpec, TelemetrySpec } from './types.js';
import { validateSpec } from './validate.js';

/** One named entry of a spec section, as written. */
export interface NamedSpec<T> {
  readonly name: string;
  readonly spec: T;
}

export interface HistogramModel extends NamedSpec<HistogramSpec> {
  /** The bucket plan resolved: sorted, distinct, finite upper boundaries (+Inf is implicit). */
  readonly boundaries: readonly number[];
}

/** Entries by name, in the spec's order. */
export type ByName<T> = Readonly<Record<string, T>>;

export interface SpecModel<S extends TelemetrySpec = TelemetrySpec> {
  /** The spec it was resolved from (not copied, not frozen: it stays the caller's object). */
  readonly spec: S;
  /** The SLOs in the spec's order, tiers and windows resolved. */
  readonly slos: readonly SloModel[];
  readonly histograms: ByName<HistogramModel>;
  readonly counters: ByName<NamedSpec<CounterSpec>>;
  readonly gauges: ByName<NamedSpec<GaugeSpec>>;
  readonly events: ByName<NamedSpec<EventSpec>>;
  /** Undefined when the spec has no sampling section. */
  readonly sampling: SamplingSettings | undefined;
}

const models = new WeakMap<TelemetrySpec, SpecModel>();

/**
 * The model of a spec: checks the spec when it did not pass validateSpec yet (one SpecError
 * listing every problem of every section) and resolves it once; later calls with the same spec
 * object answer the same frozen model.
 */
export function resolveSpec<const S extends TelemetrySpec>(spec: S): SpecModel<S> {
  const known = models.get(spec);
  if (known !== undefined) return known as SpecModel<S>;
  validateSpec(spec);
  const model: SpecModel<S> = Object.freeze({
    spec,
    slos: Object.freeze(
      Object.entries(spec.slos ?? {}).map(([name, slo]) => freezeSlo(resolveSlo(name, slo, spec))),
    ),
    histograms: byName(spec.histograms, (name, histogram) => ({
      name,
      spec: histogram,
      boundaries: Object.freeze(resolveBoundaries(spec, name)),
    })),
    counters: byName(spec.counters, named),
    gauges: byName(spec.gauges, named),
    events: byName(spec.events, named),
    sampling: spec.sampling === undefined ? undefined : resolveSampling(spec.sampling),
  });
  models.set(spec, model);
  return model;
}

/** The SLO models of a spec (see resolveSpec), in a fresh array each call. */
export function resolveSlos(spec: TelemetrySpec): SloModel[] {
  return [...resolveSpec(spec).slos];
}

function named<T>(name: string, spec: T): NamedSpec<T> {
  return { name, spec };
}

function byName<T, M>(
  section: Readonly<Record<string, T>> | undefined,
  resolve: (name: string, entry: T) => M,
): ByName<M> {
  // No prototype: a user's instrument named "constructor" is looked up like any other.
  const entries: Record<string, M> = Object.create(null) as Record<string, M>;
  for (const [name, entry] of Object.entries(section ?? {}))
    entries[name] = Object.freeze(resolve(name, entry));
  return Object.freeze(entries);
}

/** Freezes what the model built; the attribute matches it points at stay the spec's own objects. */
function freezeSlo(slo: SloModel): SloModel {
  slo.tiers.forEach((tier) => Object.freeze(tier));
  Object.freeze(slo.tiers);
  Object.freeze(slo.windows);
  Object.freeze(slo.sli);
  return Object.freeze(slo);
}
