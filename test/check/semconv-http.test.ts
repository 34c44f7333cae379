import { describe, expect, it } from 'vitest';
import { specIssues, type TelemetrySpec } from '../../src/index.js';
import { prometheusBaseName, sanitizeLabelName } from '../../src/spec/naming.js';
import {
  HTTP_SERVER_DURATION_BUCKETS,
  HTTP_SERVER_SPAN_REQUIRED,
  httpServerAttributeProblems,
} from '../../src/spec/semconv-http.js';
import { checkSpec } from './check-spec.js';

function withHistogram(histogram: Record<string, unknown>, section = 'histograms'): TelemetrySpec {
  return {
    service: { name: 'shop' },
    events: {},
    [section]: { 'http.server.request.duration': histogram },
  } as unknown as TelemetrySpec;
}

describe('OTel HTTP server conventions in the spec', () => {
  it('accepts the convention with its bucket advice and a tenant of its own', () => {
    expect(specIssues(checkSpec)).toEqual([]);
    expect(HTTP_SERVER_DURATION_BUCKETS).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
  });

  it('names the Prometheus series the way OTel does: http_server_request_duration_seconds, http_route', () => {
    expect(prometheusBaseName('http.server.request.duration', 's')).toBe(
      'http_server_request_duration_seconds',
    );
    expect(sanitizeLabelName('http.response.status_code')).toBe('http_response_status_code');
  });

  it('names a wrong unit and the missing convention attributes', () => {
    expect(
      specIssues(
        withHistogram({
          description: 'x',
          unit: 'ms',
          attributes: ['http.request.method', 'http.route'],
          buckets: { boundaries: [5, 10] },
        }),
      ),
    ).toEqual([
      {
        path: 'histograms["http.server.request.duration"].unit',
        message: 'must be "s" (OTel HTTP semantic conventions), got "ms"',
      },
      {
        path: 'histograms["http.server.request.duration"].attributes',
        message:
          "must declare the convention's attributes http.request.method, http.route, http.response.status_code, url.scheme, error.type (missing http.response.status_code, url.scheme, error.type)",
      },
    ]);
  });

  it('refuses the metric declared as a counter, and an unknown span convention', () => {
    expect(specIssues(withHistogram({ description: 'x', unit: 's' }, 'counters'))).toEqual([
      {
        path: 'counters["http.server.request.duration"]',
        message: 'is a histogram in the OTel HTTP semantic conventions; declare it under histograms',
      },
    ]);
    expect(
      specIssues({
        service: { name: 'shop' },
        events: {},
        spans: { server: { convention: 'grpc' } },
      } as never),
    ).toEqual([{ path: 'spans.server.convention', message: 'must be one of "http"' }]);
  });

  it('checks attribute values: methods, schemes, routes, status codes, error.type on 5xx', () => {
    expect(
      httpServerAttributeProblems(
        {
          'http.request.method': 'GET',
          'url.path': '/a',
          'url.scheme': 'https',
          'http.response.status_code': 200,
        },
        HTTP_SERVER_SPAN_REQUIRED,
      ),
    ).toEqual([]);
    expect(
      httpServerAttributeProblems(
        {
          'http.request.method': 'FETCH',
          'url.scheme': 'ws',
          'http.route': 'orders',
          'http.response.status_code': 502,
        },
        HTTP_SERVER_SPAN_REQUIRED,
      ),
    ).toEqual([
      'url.path is missing',
      'http.request.method "FETCH" is not a known method (use _OTHER)',
      'url.scheme "ws" is not http or https',
      'http.route "orders" is not a route template starting with /',
      'error.type is missing on a 502 response',
    ]);
    expect(httpServerAttributeProblems({ 'http.response.status_code': '99' }, [])).toEqual([
      'http.response.status_code "99" is not an HTTP status code',
    ]);
  });
});
