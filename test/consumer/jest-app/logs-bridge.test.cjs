// The event log's OTel Logs bridge under NodeSDK started in setupFiles: records reach NodeSDK's
// logger provider, none is counted as lost for want of one (reason "not_started").
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app */
const { createServer } = require('node:http');
const { createTelemetry } = require('plumbline');
const spec = require('./spec.json');

afterAll(() => globalThis.stopTelemetry());

test('event lines reach the global logger provider', async () => {
  const telemetry = createTelemetry(spec);
  for (let i = 0; i < 3; i++) {
    telemetry.log.event('order.viewed', { order_id: `o-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const server = createServer((request, response) => telemetry.metricsHandler(request, response));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const text = await (await fetch(`http://127.0.0.1:${server.address().port}/metrics`)).text();
  await new Promise((resolve) => server.close(resolve));
  const notStarted = text
    .split('\n')
    .find((line) => /signal="log_record"/.test(line) && /reason="not_started"/.test(line));
  expect(notStarted === undefined ? 0 : Number(notStarted.split(' ').pop())).toBe(0);
});
