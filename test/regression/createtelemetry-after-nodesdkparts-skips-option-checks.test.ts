// Regression: once nodeSdkParts had made the process's telemetry, createTelemetry(spec, options)
// returned it before checking the options, so `{ strcit: true }` or `{ scrapeTimeoutMs: -1 }`
// passed with only a diag warning that they were ignored, where createTelemetry without NodeSDK
// refuses them with the option named.
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts, TelemetryOptionsError } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

describe('createTelemetry after nodeSdkParts skips option checks', () => {
  it('refuses a misspelt or ill-typed option with its name, as without NodeSDK', () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());

    const misspelt = (() => {
      try {
        createTelemetry(spec, { strcit: true } as never);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(misspelt).toBeInstanceOf(TelemetryOptionsError);
    expect(String(misspelt)).toMatch(/strcit/);
    expect(String(misspelt)).toMatch(/strict/);
    expect(() => createTelemetry(spec, { scrapeTimeoutMs: -1 })).toThrow(/scrapeTimeoutMs/);
    // Valid options still attach to the same telemetry.
    expect(createTelemetry(spec, { strict: true })).toBe(parts.telemetry);
    expect(createTelemetry(spec)).toBe(parts.telemetry);
  });
});
