// event.rejected lines, rate limited per reason: under a 5x overload every shed request would
// otherwise write a log line. What is held back is counted and reported on the next line.
import type { Context } from '@opentelemetry/api';
import type { DecisionReason } from './telemetry.js';
import type { TelemetryPort } from './telemetry-port.js';

export class RejectionLog {
  private readonly windows = new Map<DecisionReason, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly telemetry: TelemetryPort,
    private readonly perSecond = 10,
  ) {}

  record(
    tenant: string,
    reason: DecisionReason,
    status: number,
    detail: string | undefined,
    eventId?: string,
    context?: Context,
  ): void {
    const now = Date.now();
    let window = this.windows.get(reason);
    if (window === undefined) this.windows.set(reason, (window = { start: now, logged: 0, suppressed: 0 }));
    if (now - window.start >= 1000) {
      window.start = now;
      window.logged = 0;
    }
    if (window.logged >= this.perSecond) {
      window.suppressed++;
      return;
    }
    window.logged++;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    // The line carries the trace of the request it logs (`context`), not of those held back.
    this.telemetry.log.event(
      'event.rejected',
      {
        tenant,
        reason,
        status,
        ...(detail === undefined ? {} : { detail }),
        ...(eventId === undefined ? {} : { event_id: eventId }),
        ...(suppressed > 0 ? { suppressed } : {}),
      },
      context,
    );
  }
}
