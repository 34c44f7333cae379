// event.rejected lines. Their rate budget is the spec's (10 lines/s per reason, see telemetry.ts):
// under a 5x overload every shed request would otherwise write a line.
import type { Context } from '@opentelemetry/api';
import type { DecisionReason } from './telemetry.js';
import type { TelemetryPort } from './telemetry-port.js';

export class RejectionLog {
  constructor(private readonly telemetry: TelemetryPort) {}

  record(
    tenant: string,
    reason: DecisionReason,
    status: number,
    detail: string | undefined,
    eventId?: string,
    context?: Context,
  ): void {
    // The line carries the trace of the request it logs (`context`), not of those held back.
    this.telemetry.log.event(
      'event.rejected',
      {
        tenant,
        reason,
        status,
        ...(detail === undefined ? {} : { detail }),
        ...(eventId === undefined ? {} : { event_id: eventId }),
      },
      context,
    );
  }
}
