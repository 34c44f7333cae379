// The active context, as `context.active()` of @opentelemetry/api returns it, without the API's
// per-call work: each call there reads the global registry off globalThis (a symbol-keyed load
// from the global object) and checks the registry's version against a Set before it asks the
// context manager. On the exemplar path that work cost about as much as the manager's own
// AsyncLocalStorage read (bench/README.md#bound-record).
//
// This keeps the registry object (the API creates it once and never replaces it) and asks its
// context manager directly, but only a manager the API itself was seen to use: the first call
// that meets a new manager watches whether the API's `context.active()` asks it, and a manager the
// API does not route to (an incompatible API version, a manager being swapped) keeps going through
// the API.
import { context, type Context, type ContextManager } from '@opentelemetry/api';

/** The registry key of @opentelemetry/api 1.x, the only major both OTel JS lines use. */
export const REGISTRY_KEY = Symbol.for('opentelemetry.js.api.1');

interface Registry {
  context?: ContextManager;
}

let registry: Registry | undefined;
/** The manager the probe found the API routes to; asked directly while it stays registered. */
let trusted: ContextManager | undefined;
/** The last manager the probe refused, so it is not probed on every call. */
let refused: ContextManager | undefined;

export function activeContext(): Context {
  const manager = (registry ?? findRegistry())?.context;
  if (manager === trusted && manager !== undefined) return manager.active();
  return slowActive(manager);
}

function findRegistry(): Registry | undefined {
  const found = (globalThis as { [REGISTRY_KEY]?: Registry })[REGISTRY_KEY];
  if (typeof found === 'object' && found !== null) registry = found;
  return registry;
}

function slowActive(manager: ContextManager | undefined): Context {
  if (manager !== undefined && manager !== refused) {
    if (apiRoutesTo(manager)) {
      trusted = manager;
      return manager.active();
    }
    refused = manager;
  }
  return context.active();
}

/**
 * True when the API's `context.active()` asks `manager`: its `active` is watched for one call.
 * Not a probe through `context.with`: on Node 20 and 22 the first `AsyncLocalStorage.run` of a
 * process turns on async hooks for every promise and socket from then on, the cost a service
 * passing contexts explicitly avoids (the blueprint's first event line did that; regression:
 * active-context-probe-turns-on-async-hooks). A manager that cannot be watched (frozen) is not
 * trusted, and its contexts keep coming through the API.
 */
function apiRoutesTo(manager: ContextManager): boolean {
  const watched = manager as { active: () => Context };
  const own = Object.getOwnPropertyDescriptor(watched, 'active');
  const active = watched.active;
  let asked = false;
  let patched = false;
  try {
    watched.active = function (this: ContextManager) {
      asked = true;
      return active.call(this);
    };
    patched = true;
    context.active();
  } catch {
    return false;
  } finally {
    if (patched) {
      if (own === undefined) delete (watched as Partial<typeof watched>).active;
      else Object.defineProperty(watched, 'active', own);
    }
  }
  return asked;
}
