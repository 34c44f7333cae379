// Regression (NestJS + Jest trial): with NodeSDK started from plumbline's parts, an app that
// shut its telemetry down when it closed (Nest's onApplicationShutdown) and was then made again
// (the next e2e test) got GlobalsAlreadyRegisteredError saying another SDK owns the globals and
// "with NodeSDK, put plumbline into it instead: nodeSdkParts", which the app had done. The error
// now says what happened: the NodeSDK telemetry was shut down, and it lives as long as the SDK.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  GlobalsAlreadyRegisteredError,
  nodeSdkParts,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

describe('createTelemetry after the NodeSDK telemetry was shut down', () => {
  it('says the telemetry was shut down and lives as long as the SDK, not that another SDK owns the globals', async () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());
    startLikeNodeSdk(parts.config, cleanups);
    expect(createTelemetry(spec)).toBe(parts.telemetry);

    await parts.telemetry.shutdown();

    const refused = (() => {
      try {
        createTelemetry(spec);
      } catch (error) {
        return error as GlobalsAlreadyRegisteredError;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(GlobalsAlreadyRegisteredError);
    expect(refused!.code).toBe('PLUMBLINE_GLOBALS_REGISTERED');
    expect(refused!.message).toMatch(/made by nodeSdkParts for NodeSDK, was shut down/);
    expect(refused!.message).toMatch(/lives as long as the SDK/);
    expect(refused!.message).not.toMatch(/put plumbline into it instead/);

    // Starting over is allowed: new parts for a new SDK.
    await cleanUpAndResetGlobals(cleanups);
    const again = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => again.telemetry.shutdown());
    startLikeNodeSdk(again.config, cleanups);
    expect(createTelemetry(spec)).toBe(again.telemetry);
  });

  it('a standalone telemetry may follow once the SDK is gone from the globals', async () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    startLikeNodeSdk(parts.config, cleanups);
    await parts.telemetry.shutdown();
    await cleanUpAndResetGlobals(cleanups);
    const standalone = createTelemetry(spec, { logDestination: captureLines().destination });
    cleanups.push(() => standalone.shutdown());
    expect(standalone).not.toBe(parts.telemetry);
  });
});
