// The app's server, written the ESM way: a named import of node:http, which only the ESM hook can
// instrument.
import { createServer } from 'node:http';
import { createTelemetry } from 'plumbline';
import { spec } from './spec.mjs';

const telemetry = createTelemetry(spec);
createServer((request, response) => {
  if (request.url === '/metrics') return telemetry.metricsHandler(request, response);
  telemetry.log.event('order.viewed', { order_id: request.url?.slice(1) ?? '' });
  response.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
