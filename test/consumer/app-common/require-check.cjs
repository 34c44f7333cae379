// CommonJS consumers: require('plumbline') loads the runtime API.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file
const plumbline = require('plumbline');

const names = ['createTelemetry', 'nodeSdkParts', 'defineTelemetry'];
const missing = names.filter((name) => typeof plumbline[name] !== 'function');
if (missing.length > 0) throw new Error(`require('plumbline') lacks ${missing.join(', ')}`);
console.log('require-ok');
