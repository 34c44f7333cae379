// A spec written as a CommonJS module, as a team without a build step for its specs keeps it.
module.exports = {
  service: { name: 'jest-shop-module', version: '1.0.0' },
  events: {
    'order.viewed': { level: 'info', fields: { order_id: { type: 'string', maxLength: 64 } } },
  },
};
