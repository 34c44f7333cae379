// Sends each event line to OTel Logs as well (OTLP through an sdk-logs LoggerProvider): the
// same data as the JSON line, with EventName, severity and the span context the line was
// written with (the one passed to `event`, else the active one).
import { context as contextApi } from '@opentelemetry/api';
import { SeverityNumber, type Logger as OtelLogger } from '@opentelemetry/api-logs';
import type { LogLevel } from '../spec/types.js';
import type { LogBridge } from './event-logger.js';

const SEVERITY: Readonly<Record<LogLevel, SeverityNumber>> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
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
