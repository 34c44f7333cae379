// Keeps plumbline's pino loggers writing only to their own destination. OTel's
// instrumentation-pino (part of auto-instrumentations-node) wraps every pino logger it sees:
// its stream becomes a multistream that also sends each line to OTel Logs, and a mixin adds
// trace_id/span_id. plumbline's event lines already reach OTel Logs through its own bridge
// (with EventName and the redacted fields) and already carry the IDs, so for its loggers that
// wrapping would export every event twice and write the IDs twice. The app's own pino loggers
// stay instrumented.
import type { DestinationStream, Logger } from 'pino';
import { pinoOnUse } from './pino-on-use.js';

export function withOwnStream(logger: Logger, destination: DestinationStream): Logger {
  const slots = logger as unknown as Record<symbol, unknown>;
  const { streamSym, mixinSym } = pinoOnUse().symbols;
  if (slots[streamSym] !== destination) slots[streamSym] = destination;
  // plumbline sets no mixin: one found here was added by an instrumentation.
  if (slots[mixinSym] !== undefined) slots[mixinSym] = undefined;
  return logger;
}
