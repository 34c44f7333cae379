// The load generator names the network errors it counts by code, so the demo's final report can
// say what they were (a reset after an early refusal is not a refused connection).
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';

describe('LoadGenerator network errors', () => {
  it('counts them by error code', async () => {
    // A listener that resets every connection it accepts, and a port nobody listens on.
    const resetting = createServer((socket) => socket.resetAndDestroy()).listen(0, '127.0.0.1');
    await once(resetting, 'listening');
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    try {
      const reset = new LoadGenerator({
        url: `http://127.0.0.1:${(resetting.address() as AddressInfo).port}`,
        tenants: [{ name: 'acme', weight: 1 }],
        ratePerSecond: 1,
      });
      const refused = new LoadGenerator({
        url: `http://127.0.0.1:${closedPort}`,
        tenants: [{ name: 'acme', weight: 1 }],
        ratePerSecond: 1,
      });
      expect(await Promise.all([reset.send('acme', '{}'), reset.send('acme', '{}')])).toEqual([0, 0]);
      expect(await refused.send('acme', '{}')).toBe(0);
      await Promise.all([reset.stop(), refused.stop()]);
      expect(reset.stats.networkErrors).toBe(2);
      expect(reset.stats.networkErrorsByCode).toEqual({ ECONNRESET: 2 });
      expect(refused.stats.networkErrorsByCode).toEqual({ ECONNREFUSED: 1 });
    } finally {
      resetting.close();
    }
  });
});
