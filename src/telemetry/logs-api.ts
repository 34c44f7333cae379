// The OTel global Logs API on either OTel JS line: on 3.x it is `logs` in @opentelemetry/api
// (1.10); on 2.x it is the separate @opentelemetry/api-logs (0.223), an optional peer that
// sdk-logs 0.223 brings anyway. Loaded on demand, so a 3.x install never needs api-logs.
import * as api from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type * as ApiLogs from '@opentelemetry/api-logs';
import { COMMONJS_BUILD } from '../module-format.js';

/** The part of an OTel Logs `LogRecord` plumbline writes; the same shape on both lines. */
export interface BridgeLogRecord {
  readonly eventName?: string;
  readonly severityNumber?: number;
  readonly severityText?: string;
  readonly attributes?: Record<string, unknown>;
  readonly context?: Context;
}

/** An OTel Logs `Logger` (api-logs 0.223 or api 1.10), as far as plumbline uses it. */
export interface BridgeLogger {
  emit(record: BridgeLogRecord): void;
}

/** An sdk-logs LoggerProvider or the global one, as far as plumbline uses it. */
export interface BridgeLoggerProvider {
  getLogger(name: string, version?: string): BridgeLogger;
}

export interface GlobalLogsApi {
  setGlobalLoggerProvider(provider: BridgeLoggerProvider): unknown;
  getLogger(name: string, version?: string): BridgeLogger;
  disable(): void;
}

let pending: Promise<GlobalLogsApi | undefined> | undefined;

/** The global Logs API of @opentelemetry/api when it has one (1.10 and later). */
export function logsApiInApi(): GlobalLogsApi | undefined {
  return (api as unknown as { logs?: GlobalLogsApi }).logs;
}

/** api-logs through the CommonJS build's own require (module-format.ts). */
function requireApiLogs(): typeof ApiLogs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see module-format.ts
  return require('@opentelemetry/api-logs') as typeof ApiLogs;
}

/** The global Logs API of whichever line is installed; undefined when neither is. */
export function globalLogsApi(): Promise<GlobalLogsApi | undefined> {
  const inApi = logsApiInApi();
  if (inApi !== undefined) return Promise.resolve(inApi);
  pending ??= (
    COMMONJS_BUILD ? Promise.resolve().then(requireApiLogs) : import('@opentelemetry/api-logs')
  ).then(
    (module) => (module as unknown as { logs: GlobalLogsApi }).logs,
    () => undefined,
  );
  return pending;
}

/**
 * A logger on the global Logs API that works from the first call: with api-logs (2.x) the
 * module arrives a tick later, and records emitted before it arrives are counted as lost
 * through `onLost` rather than thrown.
 */
export function globalLogger(name: string, version: string, onLost: () => void): BridgeLogger {
  const inApi = logsApiInApi();
  if (inApi !== undefined) return inApi.getLogger(name, version);
  let logger: BridgeLogger | undefined;
  void globalLogsApi().then((logs) => {
    logger = logs?.getLogger(name, version);
  });
  return {
    emit(record) {
      if (logger === undefined) onLost();
      else logger.emit(record);
    },
  };
}
