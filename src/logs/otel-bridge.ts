// Sends each event line to OTel Logs as well (OTLP through an sdk-logs LoggerProvider): the
// same data as the JSON line, with EventName, severity and the active span's context.
import { context } from '@opentelemetry/api';
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
    emit(event, level, attributes) {
      logger.emit({
        eventName: event,
        severityNumber: SEVERITY[level],
        severityText: level.toUpperCase(),
        attributes: attributes as Record<string, never>,
        context: context.active(),
      });
    },
  };
}
