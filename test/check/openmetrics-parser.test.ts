import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/check/openmetrics-parser.js';
import { createMetrics } from '../../src/index.js';
import { checkSpec, okRequest } from './check-spec.js';

const sampled = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});

describe('parseExposition', () => {
  it("reads plumbline's own OpenMetrics: families, types, units, labels, exemplars, # EOF", () => {
    const metrics = createMetrics(checkSpec);
    metrics.histogram('http.server.request.duration').record(0.3, okRequest, sampled);
    metrics.counter('shop.orders').add(2, { tenant: 'a"b\\c\nd' });
    const text = metrics.serialize('application/openmetrics-text;version=1.0.0').body;
    const parsed = parseExposition(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.sawEof).toBe(true);
    const histogram = parsed.families.get('http_server_request_duration_seconds')!;
    expect(histogram.type).toBe('histogram');
    expect(histogram.unit).toBe('seconds');
    const buckets = histogram.samples.filter((s) => s.name.endsWith('_bucket'));
    expect(buckets.map((s) => s.labels.le)).toContain('+Inf');
    const withExemplar = buckets.filter((s) => s.exemplar !== undefined);
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0]!.labels.le).toBe('0.5');
    expect(withExemplar[0]!.exemplar!.labels.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(withExemplar[0]!.exemplar!.value).toBe(0.3);
    expect(histogram.samples.find((s) => s.name.endsWith('_count'))!.labels.http_request_method).toBe('POST');
    const counter = parsed.families.get('shop_orders')!;
    expect(counter.type).toBe('counter');
    expect(counter.samples.find((s) => s.name === 'shop_orders_total')!.labels.tenant).toBe('a"b\\c\nd');
    expect(counter.samples.find((s) => s.name === 'shop_orders_total')!.value).toBe(2);
  });

  it('reads Prometheus 0.0.4 text too (counter families keep _total, no # EOF)', () => {
    const metrics = createMetrics(checkSpec);
    metrics.counter('shop.orders').add(1, { tenant: 'a' });
    const parsed = parseExposition(metrics.serialize('text/plain').body);
    expect(parsed.problems).toEqual([]);
    expect(parsed.sawEof).toBe(false);
    expect(parsed.families.get('shop_orders_total')?.type).toBe('counter');
  });

  it('names the line and what is wrong for malformed samples, and keeps reading', () => {
    const parsed = parseExposition(
      [
        '# TYPE a gauge',
        'a{x="1"} 1',
        'a{x="unterminated} 2',
        'a{x="1",x="2"} 3',
        'a one',
        'a{x="\\q"} 4',
        'a 5 # {trace_id="t"} 1 2',
        '# EOF',
        'a 6',
      ].join('\n'),
    );
    expect(parsed.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 9]);
    expect(parsed.problems[0]!.message).toMatch(/unterminated value of label x/);
    expect(parsed.problems[1]!.message).toMatch(/label x repeated/);
    expect(parsed.problems[2]!.message).toMatch(/"one" is not a number/);
    expect(parsed.problems[4]!.message).toMatch(/after # EOF/);
    const samples = parsed.families.get('a')!.samples;
    expect(samples.map((s) => s.value)).toEqual([1, 5]);
    expect(samples[1]!.exemplar).toEqual({ labels: { trace_id: 't' }, value: 1, timestamp: 2 });
  });
});
