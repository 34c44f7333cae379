// activeContext (the exemplar path's read of the active context) returns what the API's
// context.active() returns in every state of the global registry: no manager, a manager inside
// and outside context.with, a manager disabled and replaced, and a registry written by an API
// version this one is not compatible with (the API then answers ROOT_CONTEXT, and so must we).
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { REGISTRY_KEY } from '../../src/active-context.js';

const KEY = createContextKey('active-context test');
type Global = { [REGISTRY_KEY]?: { version?: string; context?: ContextManager } };

async function freshActiveContext(): Promise<() => Context> {
  vi.resetModules();
  return (await import('../../src/active-context.js')).activeContext;
}

afterEach(() => {
  context.disable();
});

describe('activeContext', () => {
  it('agrees with context.active() with no manager, inside and outside with, and across a manager swap', async () => {
    context.disable();
    const activeContext = await freshActiveContext();
    expect(activeContext()).toBe(ROOT_CONTEXT);
    expect(activeContext()).toBe(context.active());

    const first = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(first)).toBe(true);
    // The key activeContext reads is where the API registered the manager (a wrong key would only
    // send every call down the slow path, which the checks below could not tell).
    expect((globalThis as Global)[REGISTRY_KEY]?.context).toBe(first);
    const one = ROOT_CONTEXT.setValue(KEY, 1);
    context.with(one, () => {
      expect(activeContext()).toBe(one);
      expect(activeContext()).toBe(context.active());
    });
    expect(activeContext()).toBe(ROOT_CONTEXT);

    // Unregistered: the API answers ROOT_CONTEXT even inside the old manager's own `with`.
    context.disable();
    first.enable();
    first.with(one, () => {
      expect(context.active()).toBe(ROOT_CONTEXT);
      expect(activeContext()).toBe(ROOT_CONTEXT);
    });
    first.disable();

    const second = new AsyncLocalStorageContextManager().enable();
    expect(context.setGlobalContextManager(second)).toBe(true);
    const two = ROOT_CONTEXT.setValue(KEY, 2);
    await context.with(two, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(activeContext()).toBe(two);
    });
  });

  it('goes through the API when the registry was written by an incompatible API version', async () => {
    context.disable();
    const global = globalThis as Global;
    const saved = global[REGISTRY_KEY];
    const elsewhere = ROOT_CONTEXT.setValue(KEY, 'elsewhere');
    const foreign: ContextManager = {
      active: () => elsewhere,
      with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
      bind: (_context, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    // An older minor than ours: getGlobal refuses it, so context.active() is ROOT_CONTEXT.
    global[REGISTRY_KEY] = { version: '1.0.0', context: foreign };
    try {
      const activeContext = await freshActiveContext();
      expect(context.active()).toBe(ROOT_CONTEXT);
      expect(activeContext()).toBe(ROOT_CONTEXT);
      expect(activeContext()).toBe(ROOT_CONTEXT);
    } finally {
      if (saved === undefined) delete global[REGISTRY_KEY];
      else global[REGISTRY_KEY] = saved;
    }
  });
});
