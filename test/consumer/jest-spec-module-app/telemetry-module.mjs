// A spec written as an ES module: Jest without --experimental-vm-modules cannot load it.
export default {
  service: { name: 'jest-shop-esm', version: '1.0.0' },
  events: {},
};
