// loadSpecFile of a spec module from a Jest test: the CommonJS build under Jest's module registry,
// where import() has no callback unless Node runs with --experimental-vm-modules (regression:
// spec-module-under-jest-fails-dynamic-import). A CommonJS spec loads; an ES module one is refused
// naming the file and what to do.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app */
const { loadSpecFile } = require('plumbline');

test('loads a CommonJS spec module', async () => {
  const spec = await loadSpecFile(`${__dirname}/telemetry-module.cjs`);
  expect(spec.service.name).toBe('jest-shop-module');
  expect(spec.events['order.viewed'].fields.order_id.maxLength).toBe(64);
});

test('loads an ES module spec, or refuses it naming the file and what to do', async () => {
  // Jest requires an ES module itself from Node 24.9; before, it cannot load one without
  // --experimental-vm-modules.
  const outcome = await loadSpecFile(`${__dirname}/telemetry-module.mjs`).then(
    (spec) => spec.service.name,
    (error) => error.message,
  );
  if (outcome === 'jest-shop-esm') return;
  expect(outcome).toContain('telemetry-module.mjs: is an ES module');
  expect(outcome).toContain('--experimental-vm-modules');
  expect(outcome).toContain('.cjs');
});
