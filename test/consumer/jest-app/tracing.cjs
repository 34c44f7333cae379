// NodeSDK with plumbline's parts, as docs/nodesdk.md's CommonJS recipe has it (no instrumentations:
// Jest's module registry is not what they patch). OTel's own OTLP exporters cannot run under Jest
// (they use import()), so an endpoint is configured only for plumbline's Logs bridge to exist.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app */
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { nodeSdkParts } = require('plumbline');
const spec = require('./spec.json');

const plumbline = nodeSdkParts(spec, {
  otlpEndpoint: 'http://127.0.0.1:9',
  logDestination: process.env.APP_EVENT_LOG,
  exportTimeoutMs: 500,
});
const sdk = new NodeSDK({ ...plumbline.config });
sdk.start();
globalThis.stopTelemetry = () => plumbline.telemetry.shutdown().then(() => sdk.shutdown());
