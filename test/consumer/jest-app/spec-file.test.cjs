// loadSpecFile from a Jest test: the CommonJS build under Jest's module registry, where import()
// has no callback unless Node runs with --experimental-vm-modules.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app */
const { loadSpecFile } = require('plumbline');

test('loads a YAML spec', async () => {
  const spec = await loadSpecFile(`${__dirname}/telemetry.yaml`);
  expect(spec.service.name).toBe('jest-shop');
  expect(spec.events['order.viewed'].fields.order_id.maxLength).toBe(64);
});
