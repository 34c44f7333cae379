// Fault injection on purpose: kills a share of background tasks mid-flight, corrupts a share of
// request bodies, slows a share of dependency and storage calls. Each hook wraps a function the
// service picks once at startup, so with chaos off the request path runs the plain functions and
// does no chaos work at all. Every fault is counted (blueprint.chaos.injected{kind,target}) and
// marked on its span (chaos.injected=<kind>), apart from organic failures.
import type { Span } from '@opentelemetry/api';
import type { BatchEntry, BatchInsert, FlushScheduler } from './batcher.js';
import type { ChaosSettings, TailLatencyTarget } from './chaos-profiles.js';
import type { DependencyCall } from './enrichment.js';
import { parseEvents, type ValidationLimits, type ValidationResult } from './event-validation.js';
import type { EventStore } from './event-store.js';
import type { TelemetryPort } from './telemetry-port.js';

export type ChaosKind = 'kill_task' | 'corrupt_request' | 'tail_latency';
export type ChaosTarget = 'dependency' | 'storage' | 'request';

/** Span attributes of an injected fault (the dashboard and the trace view tell them apart). */
export const CHAOS_ATTRIBUTE = 'chaos.injected';
export const CHAOS_TARGET_ATTRIBUTE = 'chaos.target';

/** The error an injected kill raises (a killed flush rolls back and is retried like any failure). */
export class ChaosFault extends Error {
  constructor(
    readonly kind: ChaosKind,
    readonly target: ChaosTarget,
  ) {
    super(`chaos: ${kind} injected into ${target}`);
    this.name = 'ChaosFault';
  }
}

/** How the service parses a body: parseEvents itself, or (chaos on) a corrupting wrapper. */
export type BodyParser = (body: string, limits: ValidationLimits, span: Span) => ValidationResult;

export interface Chaos {
  readonly settings: ChaosSettings;
  /** Faults injected so far, by "kind/target" (the demo prints them). */
  readonly injected: Readonly<Record<string, number>>;
  readonly parseEvents: BodyParser;
  dependencyCall(call: DependencyCall): DependencyCall;
  storageInsert(store: EventStore): BatchInsert;
  readonly scheduleFlush: FlushScheduler;
}

/** The parser the service installs: the plain one when chaos is off (no wrapper, no check). */
export function parserFor(chaos: Chaos | undefined): BodyParser {
  return chaos === undefined ? parseEvents : chaos.parseEvents;
}

/** Dependency kills land within this many ms of the call's start: mid-flight on a warm socket. */
const KILL_WINDOW_MS = 2;

export function createChaos(settings: ChaosSettings, telemetry: TelemetryPort): Chaos {
  const random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
  const counter = telemetry.metrics.counter('blueprint.chaos.injected');
  const injected: Record<string, number> = {};
  const latency = settings.tailLatency;
  const slows = (target: TailLatencyTarget) => latency.ratio > 0 && latency.targets.includes(target);
  const slowDependencies = slows('dependency');
  const slowStorage = slows('storage');

  const inject = (kind: ChaosKind, target: ChaosTarget, span: Span | undefined): void => {
    injected[`${kind}/${target}`] = (injected[`${kind}/${target}`] ?? 0) + 1;
    counter.add(1, { kind, target });
    span?.setAttribute(CHAOS_ATTRIBUTE, kind);
    span?.setAttribute(CHAOS_TARGET_ATTRIBUTE, target);
  };
  const markEntries = (kind: ChaosKind, entries: readonly BatchEntry[]): void => {
    for (const entry of entries) {
      entry.span.setAttribute(CHAOS_ATTRIBUTE, kind);
      entry.span.setAttribute(CHAOS_TARGET_ATTRIBUTE, 'storage');
    }
  };
  const extraDelay = () => latency.ms + random() * latency.jitterMs;
  // One fault per task: a flush already delayed is not also killed, so a span's mark is exact.
  const delayedFlushes = new WeakSet<Span>();

  return {
    settings,
    injected,

    parseEvents(body, limits, span) {
      if (!(random() < settings.corruptRequestRatio)) return parseEvents(body, limits);
      inject('corrupt_request', 'request', span);
      // Either cut the body short or overwrite one character with NUL: both can never be valid
      // JSON (a prefix of an object or array misses its closing bracket; NUL is allowed nowhere),
      // so the request gets its 400 and never reaches a batch.
      const at = Math.floor(random() * body.length);
      const truncate = random() < 0.5;
      span.setAttribute('chaos.corruption', truncate ? 'truncate' : 'flip');
      return parseEvents(
        truncate ? body.slice(0, at) : `${body.slice(0, at)}\u0000${body.slice(at + 1)}`,
        limits,
      );
    },

    dependencyCall(call) {
      return (url, body, signal, agent, traceHeaders, span) => {
        if (random() < settings.killTaskRatio) {
          inject('kill_task', 'dependency', span);
          return killed(call, url, body, signal, agent, traceHeaders, span, random() * KILL_WINDOW_MS);
        }
        if (slowDependencies && random() < latency.ratio) {
          inject('tail_latency', 'dependency', span);
          return sleep(extraDelay(), signal).then(() => call(url, body, signal, agent, traceHeaders, span));
        }
        return call(url, body, signal, agent, traceHeaders, span);
      };
    },

    storageInsert(store) {
      return (rows, span, entries) => {
        if (!delayedFlushes.has(span) && random() < settings.killTaskRatio) {
          inject('kill_task', 'storage', span);
          markEntries('kill_task', entries);
          // Dies inside the transaction after some rows: SQLite rolls all of them back.
          return store.insertBatchThenFail(
            rows,
            Math.floor(random() * rows.length),
            new ChaosFault('kill_task', 'storage'),
          );
        }
        return store.insertBatch(rows);
      };
    },

    scheduleFlush(commit, span, entries) {
      if (!slowStorage || !(random() < latency.ratio)) return commit();
      inject('tail_latency', 'storage', span);
      markEntries('tail_latency', entries);
      delayedFlushes.add(span);
      setTimeout(commit, extraDelay());
    },
  };
}

/** Runs the call but aborts it `afterMs` in; fails with a ChaosFault even if it won the race. */
async function killed(
  call: DependencyCall,
  url: string,
  body: string,
  signal: AbortSignal,
  agent: Parameters<DependencyCall>[3],
  traceHeaders: Parameters<DependencyCall>[4],
  span: Span,
  afterMs: number,
): Promise<never> {
  const fault = new ChaosFault('kill_task', 'dependency');
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(fault), afterMs);
  try {
    await call(url, body, controller.signal, agent, traceHeaders, span);
  } catch {
    // the abort we caused (or the caller's own deadline): the task is dead either way
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  throw fault;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A small seeded PRNG (mulberry32): the same seed gives the same fault sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
