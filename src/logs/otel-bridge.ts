// Sends each event line to OTel Logs as well (OTLP through an sdk-logs LoggerProvider): the
// same data as the JSON line, with EventName, severity and the span context the line was
// written with (the one passed to `event`, else the active one).
import { context as contextApi, type Context } from '@opentelemetry/api';
import type { LogLevel } from '../spec/types.js';
import type { LogBridge } from './event-logger.js';

/**
 * An OTel Logs Logger as far as the bridge uses it: api-logs' (OTel JS 2.x) and
 * @opentelemetry/api's (3.x) both fit, so neither package is imported here.
 */
export interface OtelLogger {
  emit(record: {
    eventName?: string;
    severityNumber?: number;
    severityText?: string;
    attributes?: Record<string, never>;
    context?: Context;
  }): void;
}

/** OTel Logs SeverityNumber values (the same on both lines; the data model fixes them). */
const SEVERITY: Readonly<Record<LogLevel, number>> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

export function otelLogBridge(logger: OtelLogger): LogBridge {
  return {
    emit(event, level, attributes, context) {
      logger.emit({
        eventName: event,
        severityNumber: SEVERITY[level],
        severityText: level.toUpperCase(),
        attributes: attributes as Record<string, never>,
        context: context ?? contextApi.active(),
      });
    },
  };
}
