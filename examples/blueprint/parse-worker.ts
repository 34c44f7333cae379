// What a parse worker runs (a piscina task, on its own thread): a body's bytes in, its events out
// with every payload already serialized to the text the store keeps, so the event loop receives
// strings to copy rather than objects to rebuild.
import {
  parseBytes,
  type IncomingEvent,
  type ValidationLimits,
  type ValidationResult,
} from './event-validation.js';

export interface ParseTask {
  readonly body: Uint8Array;
  readonly limits: ValidationLimits;
  /** Epoch ms (Date.now, which threads share) after which the request is answered already. */
  readonly deadline: number;
}

export type ParseAnswer =
  /** The body's result, and the worker's time on it (what the tenant's parse budget is charged). */
  | { readonly result: ValidationResult; readonly parseMs: number }
  /** The deadline passed while the task waited for a thread: not parsed at all. */
  | { readonly result: 'expired' };

export default function parseTask(task: ParseTask): ParseAnswer {
  if (Date.now() >= task.deadline) return { result: 'expired' };
  const started = performance.now();
  const parsed = parseBytes(task.body, task.limits);
  const result: ValidationResult = parsed.ok ? { ok: true, events: parsed.events.map(serialized) } : parsed;
  return { result, parseMs: performance.now() - started };
}

function serialized(event: IncomingEvent): IncomingEvent {
  if (event.payload === undefined) return event;
  return {
    type: event.type,
    id: event.id,
    timestamp: event.timestamp,
    user: event.user,
    payloadJson: JSON.stringify(event.payload),
  };
}
