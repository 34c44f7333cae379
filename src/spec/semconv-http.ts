// OpenTelemetry's HTTP server semantic conventions (semconv 1.x, stable HTTP): the metric
// `http.server.request.duration` and the server span's attributes. A spec that names the metric
// or declares `spans.server.convention: 'http'` is held to them at load and by `check live`.
// Source: https://opentelemetry.io/docs/specs/semconv/http/http-metrics/ and http-spans/.
import type { SpecIssue } from './errors.js';
import type { TelemetrySpec } from './types.js';

export const HTTP_SERVER_DURATION_METRIC = 'http.server.request.duration';
export const HTTP_SERVER_DURATION_UNIT = 's';

export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_ROUTE = 'http.route';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const URL_SCHEME = 'url.scheme';
export const URL_PATH = 'url.path';
export const ERROR_TYPE = 'error.type';
/**
 * Attributes present only on failed events: OpenTelemetry's `error.type` (the HTTP convention sets
 * it on errors alone, and so does every other convention that uses it). Split by one, an error
 * ratio has only failed events in each series and reads 1; a healthy service may have no series
 * carrying it at all.
 */
export const FAILURE_ONLY_ATTRIBUTES: readonly string[] = [ERROR_TYPE];

/** The attributes the metric's spec must declare (required, or required when they apply). */
export const HTTP_SERVER_DURATION_ATTRIBUTES: readonly string[] = [
  HTTP_REQUEST_METHOD,
  HTTP_ROUTE,
  HTTP_RESPONSE_STATUS_CODE,
  URL_SCHEME,
  ERROR_TYPE,
];
/** Present on every point of the metric (http.response.status_code: a response was sent). */
export const HTTP_SERVER_DURATION_REQUIRED: readonly string[] = [
  HTTP_REQUEST_METHOD,
  URL_SCHEME,
  HTTP_RESPONSE_STATUS_CODE,
];
/** Present on every HTTP server span. */
export const HTTP_SERVER_SPAN_REQUIRED: readonly string[] = [
  HTTP_REQUEST_METHOD,
  URL_PATH,
  URL_SCHEME,
  HTTP_RESPONSE_STATUS_CODE,
];

/** The convention's explicit bucket advice for http.server.request.duration, in seconds. */
export const HTTP_SERVER_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Methods the convention knows; any other is reported as `_OTHER`. */
export const HTTP_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
  '_OTHER',
]);

/**
 * What is wrong with the convention's attributes of one request (a span or a metric point),
 * as messages naming the attribute; empty when it conforms. `required` lists the attributes
 * that must be there.
 */
export function httpServerAttributeProblems(
  attributes: Readonly<Record<string, unknown>>,
  required: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const key of required) {
    if (attributes[key] === undefined || attributes[key] === '') problems.push(`${key} is missing`);
  }
  const method = attributes[HTTP_REQUEST_METHOD];
  if (method !== undefined && !HTTP_METHODS.has(String(method)))
    problems.push(`${HTTP_REQUEST_METHOD} "${String(method)}" is not a known method (use _OTHER)`);
  const scheme = attributes[URL_SCHEME];
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
    problems.push(`${URL_SCHEME} "${String(scheme)}" is not http or https`);
  const route = attributes[HTTP_ROUTE];
  if (route !== undefined && !String(route).startsWith('/'))
    problems.push(`${HTTP_ROUTE} "${String(route)}" is not a route template starting with /`);
  const status = attributes[HTTP_RESPONSE_STATUS_CODE];
  if (status !== undefined) {
    const code = Number(status);
    if (!Number.isInteger(code) || code < 100 || code > 599)
      problems.push(`${HTTP_RESPONSE_STATUS_CODE} "${String(status)}" is not an HTTP status code`);
    // Server side, 5xx is an error and error.type must say which (the status code itself will do).
    else if (code >= 500 && (attributes[ERROR_TYPE] === undefined || attributes[ERROR_TYPE] === ''))
      problems.push(`${ERROR_TYPE} is missing on a ${code} response`);
  }
  return problems;
}

/** Spec check: a histogram named http.server.request.duration keeps the convention's unit and attributes. */
export function checkHttpConventions(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const histogram = spec.histograms?.[HTTP_SERVER_DURATION_METRIC];
  const path = `histograms["${HTTP_SERVER_DURATION_METRIC}"]`;
  if (histogram !== undefined) {
    if (histogram.unit !== HTTP_SERVER_DURATION_UNIT)
      issues.push({
        path: `${path}.unit`,
        message: `must be "${HTTP_SERVER_DURATION_UNIT}" (OTel HTTP semantic conventions), got "${histogram.unit}"`,
      });
    const declared = new Set(histogram.attributes ?? []);
    const missing = HTTP_SERVER_DURATION_ATTRIBUTES.filter((key) => !declared.has(key));
    if (missing.length > 0)
      issues.push({
        path: `${path}.attributes`,
        message: `must declare the convention's attributes ${HTTP_SERVER_DURATION_ATTRIBUTES.join(', ')} (missing ${missing.join(', ')})`,
      });
  }
  for (const [section, instruments] of [
    ['counters', spec.counters],
    ['gauges', spec.gauges],
  ] as const) {
    if (instruments?.[HTTP_SERVER_DURATION_METRIC] !== undefined)
      issues.push({
        path: `${section}["${HTTP_SERVER_DURATION_METRIC}"]`,
        message: 'is a histogram in the OTel HTTP semantic conventions; declare it under histograms',
      });
  }
  return issues;
}
