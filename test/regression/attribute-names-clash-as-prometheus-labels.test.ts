// Regression (review): the spec accepted attribute names that clash as Prometheus labels, and one
// such instrument took down the whole scrape. A histogram with attributes ['le'] wrote
// `r_seconds_bucket{le="5",le="1.0"}`, ['__name__'] wrote `{__name__="y",...}`, and a counter
// with ['a.b', 'a_b'] wrote `hits_total{a_b="p",a_b="q"}`: Prometheus marks the target up=0
// ("label name "le" is not unique"), so every metric of the service was lost. Now setup fails
// with a SpecError naming the field. Real parts: the spec validator, createMetrics, and promtool on
// the exposition of the names that stay allowed.
import { describe, expect, it } from 'vitest';
import { createMetrics, SpecError, specIssues } from '../../src/index.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

const base = { service: { name: 'shop' }, events: {} };
const histogram = (attributes: string[]) => ({
  histograms: { r: { description: 'd', unit: 's', attributes, buckets: { boundaries: [1] } } },
});

function issuesOf(spec: object): string[] {
  return specIssues({ ...base, ...spec }).map((issue) => `${issue.path}: ${issue.message}`);
}

describe('attribute-names-clash-as-prometheus-labels', () => {
  it('refuses a histogram attribute named le or __name__ at setup, naming the field', () => {
    expect(() => createMetrics({ ...base, ...histogram(['route', 'le']) } as never)).toThrow(SpecError);
    expect(issuesOf(histogram(['route', 'le']))).toEqual([
      expect.stringMatching(/^histograms\.r\.attributes\[1\]: .*"le".*reserved/),
    ]);
    expect(() => createMetrics({ ...base, ...histogram(['__name__']) } as never)).toThrow(SpecError);
    expect(issuesOf(histogram(['__name__']))).toEqual([
      expect.stringMatching(/^histograms\.r\.attributes\[0\]: .*"__name__".*reserved/),
    ]);
    // A name that only becomes reserved once sanitized: '..x' is the label __x.
    expect(issuesOf(histogram(['..x']))).toEqual([
      expect.stringMatching(/^histograms\.r\.attributes\[0\]: .*"__x".*reserved/),
    ]);
  });

  it('refuses two attributes of one instrument that sanitize to the same label, on every kind', () => {
    const spec = {
      counters: { hits: { description: 'd', attributes: ['a.b', 'a_b'] } },
      gauges: { depth: { description: 'd', attributes: ['tenant', 'tenant-id', 'tenant.id'] } },
      ...histogram(['http.route', 'http_route']),
    };
    expect(() => createMetrics({ ...base, ...spec } as never)).toThrow(SpecError);
    expect(issuesOf(spec)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^counters\.hits\.attributes\[1\]: .*"a_b".*attributes\[0\] \("a\.b"\)/),
        expect.stringMatching(
          /^gauges\.depth\.attributes\[2\]: .*"tenant_id".*attributes\[1\] \("tenant-id"\)/,
        ),
        expect.stringMatching(
          /^histograms\.r\.attributes\[1\]: .*"http_route".*attributes\[0\] \("http\.route"\)/,
        ),
      ]),
    );
    expect(issuesOf(spec)).toHaveLength(3);
  });

  it('refuses le and quantile on counters and gauges too (promtool lint flags them), and __ names', () => {
    const spec = {
      counters: { hits: { description: 'd', attributes: ['le', 'quantile'] } },
      gauges: { depth: { description: 'd', attributes: ['__meta'] } },
    };
    expect(issuesOf(spec)).toEqual([
      expect.stringMatching(/^counters\.hits\.attributes\[0\]: .*"le"/),
      expect.stringMatching(/^counters\.hits\.attributes\[1\]: .*"quantile"/),
      expect.stringMatching(/^gauges\.depth\.attributes\[0\]: .*"__meta"/),
    ]);
  });

  it('keeps allowing names that are distinct labels; their exposition passes promtool', async () => {
    const spec = {
      ...base,
      counters: { hits: { description: 'd', attributes: ['a.b', 'a_c', 'level', '_le'] } },
      ...histogram(['l.e', 'http.route', 'name__']),
    };
    expect(specIssues(spec)).toEqual([]);
    const metrics = createMetrics(spec as never);
    (metrics.counter as (name: string) => { add(v: number, a: object): void })('hits').add(1, {
      'a.b': 'p',
      a_c: 'q',
      level: 'x',
      _le: 'y',
    });
    (metrics.histogram as (name: string) => { record(v: number, a: object): void })('r').record(0.5, {
      'l.e': '5',
      'http.route': '/',
      name__: 'n',
    });
    const body = metrics.serialize().body;
    expect(body).toContain('hits_total{a_b="p",a_c="q",level="x",_le="y"} 1\n');
    expect(body).toContain('r_seconds_bucket{l_e="5",http_route="/",name__="n",le="1.0"} 1\n');
    const checked = await promtoolCheckMetrics(body);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
  });
});
