// Regression: the service overview's "<histogram>: traces slower than 250ms" table queried
// `{ resource.service.name = "blueprint" && duration > 250ms }` for http.server.request.duration
// and for blueprint.batch.flush.duration alike: no span kind, no route, the SLO's `where`
// ignored, so both listed every slow span of the service (dependency calls, batch commits,
// requests of any route), not what the title claimed (a review found it). The query now narrows
// to what the histogram measures where the spec says so: http.server.request.duration is the
// duration of HTTP server requests (`kind = server`), and with `spans.server.convention: 'http'`
// the server spans carry the convention's attributes, so the latency SLO's `where` on them
// (http.route, ...) filters the spans too. Where the spec cannot say which spans a histogram
// measures, the title says what the table lists: any span of the service over the threshold.
import { describe, expect, it } from 'vitest';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { HTTP_SERVER_DURATION_BUCKETS } from '../../src/spec/semconv-http.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

interface Panel {
  type: string;
  title: string;
  description?: string;
  targets?: { query?: string; queryType?: string; datasource?: { type?: string } }[];
}

/** The overview's trace tables: title -> TraceQL. */
function traceTables(spec: TelemetrySpec): Map<string, { query: string; description: string }> {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const tables = new Map<string, { query: string; description: string }>();
  for (const panel of (JSON.parse(text) as { panels: Panel[] }).panels) {
    const target = panel.targets?.[0];
    if (target?.datasource?.type !== 'tempo') continue;
    expect(target.queryType).toBe('traceql');
    tables.set(panel.title, { query: target.query ?? '', description: panel.description ?? '' });
  }
  return tables;
}

const httpHistogram = {
  description: 'HTTP server request duration.',
  unit: 's',
  attributes: [
    'http.request.method',
    'http.route',
    'http.response.status_code',
    'url.scheme',
    'error.type',
    'tenant',
  ],
  buckets: { boundaries: HTTP_SERVER_DURATION_BUCKETS },
} as const;

function shopSpec(server: TelemetrySpec['spans']): TelemetrySpec {
  return {
    service: { name: 'shop' },
    events: {},
    histograms: {
      'http.server.request.duration': httpHistogram,
      'shop.render.duration': {
        description: 'Page render time.',
        unit: 'ms',
        buckets: { boundaries: [10, 100, 1000] },
      },
    },
    slos: {
      api: {
        description: 'API reads within 250 ms.',
        objective: 99,
        sli: {
          kind: 'latency',
          histogram: 'http.server.request.duration',
          threshold: 0.25,
          where: {
            'http.route': ['/api/*', '/cart'],
            'http.request.method': ['GET'],
            'http.response.status_code': ['200', '204'],
            tenant: ['acme'],
          },
        },
      },
      checkout: {
        description: 'Checkout within 250 ms.',
        objective: 99,
        sli: {
          kind: 'latency',
          histogram: 'http.server.request.duration',
          threshold: 0.25,
          where: { 'http.route': ['/checkout'] },
        },
      },
      render: {
        description: 'Pages rendered within 100 ms.',
        objective: 99,
        sli: { kind: 'latency', histogram: 'shop.render.duration', threshold: 100 },
      },
    },
    ...(server === undefined ? {} : { spans: server }),
  };
}

describe('the slow-traces table lists what its histogram measures, or says it cannot', () => {
  it('the blueprint: http.server.request.duration lists server spans of /events', () => {
    const tables = traceTables(blueprintSpec as TelemetrySpec);
    // Three latency SLOs read the histogram at 250 ms, all on http.route /events; their class and
    // outcome are not declared on the server spans: one table.
    const requests = [...tables].filter(([title]) => title.startsWith('http.server.request.duration'));
    expect(requests.map(([title]) => title)).toEqual([
      'http.server.request.duration: server spans slower than 250ms (http.route=/events)',
    ]);
    const [, table] = requests[0]!;
    expect(table.query).toBe(
      '{ resource.service.name = "blueprint" && kind = server && span.http.route = "/events" && duration > 250ms }',
    );
    expect(table.description).toContain('not filtered by class, outcome');
  });

  it('the blueprint: blueprint.batch.flush.duration says it lists any slow span of the service', () => {
    const tables = traceTables(blueprintSpec as TelemetrySpec);
    const flush = [...tables].filter(([title]) => title.startsWith('blueprint.batch.flush.duration'));
    expect(flush.map(([title]) => title)).toEqual([
      'blueprint.batch.flush.duration: any span of blueprint slower than 250ms',
    ]);
    expect(flush[0]![1].query).toBe('{ resource.service.name = "blueprint" && duration > 250ms }');
    expect(flush[0]![1].description).toContain('does not say which spans');
  });

  it('no table claims traces of its histogram without narrowing to them', () => {
    for (const spec of [
      blueprintSpec as TelemetrySpec,
      shopSpec({ server: { convention: 'http' } }),
      shopSpec(undefined),
    ]) {
      for (const [title, { query }] of traceTables(spec)) {
        expect(title).not.toMatch(/traces slower than/);
        if (/ server spans /.test(title)) expect(query, title).toContain(' kind = server ');
        else expect(title).toMatch(/: any span of \S+ slower than \d/);
      }
    }
  });

  it("with the HTTP span convention, the SLO's where on the convention's attributes filters the spans", () => {
    expect(
      Object.fromEntries(
        [...traceTables(shopSpec({ server: { convention: 'http', attributes: ['tenant'] } }))].map(
          ([t, v]) => [t, v.query],
        ),
      ),
    ).toEqual({
      'http.server.request.duration: server spans slower than 250ms (http.request.method=GET, http.response.status_code=200|204, http.route=/api/*|/cart)':
        '{ resource.service.name = "shop" && kind = server && span.http.request.method = "GET"' +
        ' && (span.http.response.status_code = 200 || span.http.response.status_code = 204)' +
        ' && span.http.route =~ "^(?:/api/.*|/cart)$" && duration > 250ms }',
      'http.server.request.duration: server spans slower than 250ms (http.route=/checkout)':
        '{ resource.service.name = "shop" && kind = server && span.http.route = "/checkout" && duration > 250ms }',
      // A histogram of the spec's own: nothing says which spans it measures.
      'shop.render.duration: any span of shop slower than 100ms':
        '{ resource.service.name = "shop" && duration > 100ms }',
    });
  });

  it('without the convention the spans are server spans, their attributes unknown: no attribute filter', () => {
    const tables = traceTables(shopSpec(undefined));
    expect([...tables.keys()]).toEqual([
      'http.server.request.duration: server spans slower than 250ms',
      'shop.render.duration: any span of shop slower than 100ms',
    ]);
    const requests = tables.get('http.server.request.duration: server spans slower than 250ms')!;
    expect(requests.query).toBe('{ resource.service.name = "shop" && kind = server && duration > 250ms }');
    expect(requests.description).toContain(
      'not filtered by http.request.method, http.response.status_code, http.route, tenant',
    );
  });
});
