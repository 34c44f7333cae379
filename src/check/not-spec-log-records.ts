// OTLP log records that are not the spec's: what other loggers send through OTel Logs beside
// plumbline's event logger, such as the app's own pino lines that instrumentation-pino forwards
// (docs/nodesdk.md keeps them instrumented), or winston's and bunyan's. The spec declares events,
// and plumbline's event logger alone writes them, under its own instrumentation scope; a record of
// any other scope is the app's logging, listed by scope and not checked as an event.
//
// Unlike an app's own metrics, an app's own logger's records are not the spec's either: its lines
// are logs, not undeclared events.
// A record without a scope is checked as an event: the check cannot tell it from plumbline's.
import { MAX_DISTINCT_DEVIATIONS } from './deviations.js';

/**
 * The scope plumbline's event logger emits its records under (`SCOPE.name` in
 * telemetry/assemble.ts, for createTelemetry's logger provider and NodeSDK's global one alike).
 * Not imported from there: that module loads the SDK, and the check runs without one.
 */
export const EVENT_LOGGER_SCOPE = 'plumbline';

export interface NotSpecLogScope {
  /** The instrumentation scope the records came with, e.g. `@opentelemetry/instrumentation-pino`. */
  readonly scope: string;
  /** Records of that scope received. */
  count: number;
}

/** Whether a record's scope says another logger than plumbline's event logger sent it. */
export function isNotSpecLogScope(scope: string): boolean {
  return scope !== '' && scope !== EVENT_LOGGER_SCOPE;
}

export class NotSpecLogRecords {
  private readonly byScope = new Map<string, NotSpecLogScope>();
  /** Records of the scopes not listed because the bound on distinct scopes was reached. */
  dropped = 0;

  add(scope: string): void {
    const existing = this.byScope.get(scope);
    if (existing !== undefined) {
      existing.count++;
      return;
    }
    if (this.byScope.size >= MAX_DISTINCT_DEVIATIONS) {
      this.dropped++;
      return;
    }
    this.byScope.set(scope, { scope, count: 1 });
  }

  /** Sorted by scope, so reports are stable. */
  list(): NotSpecLogScope[] {
    return [...this.byScope.values()].sort((a, b) => a.scope.localeCompare(b.scope));
  }
}
