// An event logger whose lines, security lines and OTel Logs records are all captured: pino lines
// through captureLines, the OTel Logs bridge into sdk-logs' InMemoryLogRecordExporter (read after
// provider.forceFlush()).
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { createEventLogger, type EventLoggerOptions, type TelemetrySpec } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from './capture.js';

export function bridgedEventLogger<const S extends TelemetrySpec>(
  spec: S,
  options: Omit<EventLoggerOptions, 'destination' | 'securityDestination' | 'bridge'> = {},
) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const security = captureLines();
  const log = createEventLogger(spec, {
    ...options,
    destination: captured.destination,
    securityDestination: security.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });
  return { log, exporter, provider, captured, security };
}
