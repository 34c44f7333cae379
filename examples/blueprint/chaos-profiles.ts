// The blueprint's chaos settings: named profiles at stated rates, the [chaos] TOML section on
// top of one, and the one-run override (`--chaos <profile>`, BLUEPRINT_CHAOS). Off by default.

export type TailLatencyTarget = 'dependency' | 'storage';

export interface TailLatency {
  /** Share of dependency calls / storage flushes delayed, 0..1. */
  readonly ratio: number;
  /** Added delay: `ms` plus a uniform 0..`jitterMs`. */
  readonly ms: number;
  readonly jitterMs: number;
  readonly targets: readonly TailLatencyTarget[];
}

export interface ChaosSettings {
  /** The profile the settings started from ("off" unless chosen). */
  readonly profile: ChaosProfileName;
  /** Share of background tasks (dependency calls, batch flushes) aborted mid-flight, 0..1. */
  readonly killTaskRatio: number;
  /** Share of request bodies flipped or truncated before parsing, 0..1. */
  readonly corruptRequestRatio: number;
  readonly tailLatency: TailLatency;
  /** Seed of the fault dice (same seed, same sequence of decisions); unset: Math.random. */
  readonly seed: number | undefined;
}

const NO_LATENCY: TailLatency = { ratio: 0, ms: 0, jitterMs: 0, targets: ['dependency', 'storage'] };

/** The stated rates of each profile (docs/chaos.md lists them; the chaos tests run them). */
export const CHAOS_PROFILES = {
  off: { killTaskRatio: 0, corruptRequestRatio: 0, tailLatency: NO_LATENCY },
  /** 10% of dependency calls and batch flushes killed: degraded enrichment, retried flushes. */
  kill: { killTaskRatio: 0.1, corruptRequestRatio: 0, tailLatency: NO_LATENCY },
  /** 5% of request bodies corrupted: each gets a 400, nothing else notices. */
  corrupt: { killTaskRatio: 0, corruptRequestRatio: 0.05, tailLatency: NO_LATENCY },
  /** 10% of dependency calls and flushes 300-400 ms slower: budget cut-offs, the latency SLO burns. */
  latency: {
    killTaskRatio: 0,
    corruptRequestRatio: 0,
    tailLatency: { ratio: 0.1, ms: 300, jitterMs: 100, targets: ['dependency', 'storage'] },
  },
  /** A bit of everything. */
  mixed: {
    killTaskRatio: 0.05,
    corruptRequestRatio: 0.02,
    tailLatency: { ratio: 0.05, ms: 300, jitterMs: 100, targets: ['dependency', 'storage'] },
  },
} as const satisfies Record<string, Omit<ChaosSettings, 'profile' | 'seed'>>;

export type ChaosProfileName = keyof typeof CHAOS_PROFILES;
export const CHAOS_PROFILE_NAMES = Object.keys(CHAOS_PROFILES) as ChaosProfileName[];

export const CHAOS_OFF: ChaosSettings = chaosProfile('off');

export function isChaosProfile(name: string): name is ChaosProfileName {
  return Object.hasOwn(CHAOS_PROFILES, name);
}

export function chaosProfile(name: ChaosProfileName, seed?: number): ChaosSettings {
  return { profile: name, ...CHAOS_PROFILES[name], seed };
}

/** True when any switch injects something: only then does the service install the hooks. */
export function chaosEnabled(settings: ChaosSettings | undefined): settings is ChaosSettings {
  return (
    settings !== undefined &&
    (settings.killTaskRatio > 0 || settings.corruptRequestRatio > 0 || settings.tailLatency.ratio > 0)
  );
}

/** A one-run override named no profile; the message names where it came from. */
export class ChaosProfileError extends Error {
  override name = 'ChaosProfileError';
}

/**
 * The settings a one-run override names (the demo's --chaos, or BLUEPRINT_CHAOS), replacing the
 * config file's [chaos]; undefined or "" keeps the file's. Throws naming `source` on a bad name.
 */
export function chaosOverride(name: string | undefined, source: string): ChaosSettings | undefined {
  if (name === undefined || name === '') return undefined;
  if (!isChaosProfile(name))
    throw new ChaosProfileError(
      `${source}: unknown chaos profile ${JSON.stringify(name)} (expected one of ${CHAOS_PROFILE_NAMES.join(', ')})`,
    );
  return chaosProfile(name);
}
