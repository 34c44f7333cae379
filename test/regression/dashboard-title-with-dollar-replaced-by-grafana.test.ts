// Regression: Grafana replaces `$name`, `${name}` and `[[name]]` in panel and row titles and in
// panel descriptions with its variables, as it does in queries, and there that text has no
// escape. The spec's own words went into them as they were: an SLO description "Pages $job's
// on-call" showed the picked job ("Pages payments's on-call"), `$__user` the viewer's login, an
// SLI value "/pay/$instance" in a slow-span table's title the instance. The generator now writes
// U+2060 WORD JOINER, invisible and not a word character, after such a `$` and between `[[`, so
// Grafana's variable regex matches nothing and the text reads as the spec wrote it. Real parts:
// the generated dashboards' JSON and Grafana's variable regex (public/app/features/variables/
// utils.ts, variableRegex), applied as templateSrv.replace applies it.
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { HTTP_SERVER_DURATION_BUCKETS } from '../../src/spec/semconv-http.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const WORDS = "Pages $job's on-call (${instance}, [[job]], $__user).";

const spec: TelemetrySpec = {
  service: { name: 'payments' },
  events: {},
  counters: {
    'payments.requests': { description: `Payment requests. ${WORDS}`, attributes: ['route', 'result'] },
  },
  gauges: { 'payments.queue': { description: `Queued payments. ${WORDS}`, unit: '{payment}' } },
  histograms: {
    'http.server.request.duration': {
      description: `HTTP server request duration. ${WORDS}`,
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: HTTP_SERVER_DURATION_BUCKETS },
    },
  },
  spans: { server: { convention: 'http' } },
  slos: {
    pay: {
      description: `Payments succeed. ${WORDS}`,
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'payments.requests',
        where: { route: ['/pay/$instance'] },
        bad: { result: ['failed'] },
      },
    },
    fast: {
      description: `Payments answer within 250 ms. ${WORDS}`,
      objective: 99,
      sli: {
        kind: 'latency',
        histogram: 'http.server.request.duration',
        threshold: 0.25,
        where: { 'http.route': ['/pay/$instance'] },
      },
    },
  },
};

// Grafana's variable syntax (public/app/features/variables/utils.ts, variableRegex).
const GRAFANA_VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
const PICKED: Readonly<Record<string, string>> = {
  job: 'payments',
  instance: '127.0.0.1:9464',
  __user: 'viewer',
};
/** What Grafana shows for a title or description: templateSrv.replace with the picked variables. */
const asGrafanaShows = (text: string) =>
  text.replace(GRAFANA_VARIABLE, (whole, bare?: string, bracketed?: string, _f?: string, braced?: string) => {
    const value = PICKED[bare ?? bracketed ?? braced ?? ''];
    return value ?? whole;
  });

interface PanelJson {
  type?: string;
  title?: string;
  description?: string;
  panels?: PanelJson[];
}

/** Every title and description of every panel and row of the generated dashboards. */
function texts(): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  const visit = (file: string, panels: readonly PanelJson[]) => {
    for (const panel of panels) {
      for (const key of ['title', 'description'] as const) {
        const text = panel[key];
        if (text !== undefined) found.push({ where: `${file} ${panel.type} ${key}`, text });
      }
      visit(file, panel.panels ?? []);
    }
  };
  for (const [file, text] of renderDashboards(spec)) {
    if (file.endsWith('.json')) visit(file, (JSON.parse(text) as { panels?: PanelJson[] }).panels ?? []);
  }
  return found;
}

describe('regression: spec text in a dashboard title or description is replaced by Grafana', () => {
  it('no title or description holds what Grafana takes for a variable', () => {
    const all = texts();
    expect(all.length).toBeGreaterThan(10);
    // Grafana replaces any variable it knows ($__user always): none may match at all.
    const variables = all.filter(({ text }) => text.match(GRAFANA_VARIABLE) !== null);
    expect(variables).toEqual([]);
  });

  it('the spec text reads as written: the titles and descriptions that carry it, shown by Grafana', () => {
    const shown = texts().map(({ where, text }) => ({
      where,
      text: asGrafanaShows(text).replaceAll('\u2060', ''),
    }));
    const carrying = (words: string) =>
      shown.filter(({ text }) => text.includes(words)).map(({ where }) => where);
    // The histogram's row title, the counter's and gauge's descriptions, both SLOs' SLI stats.
    expect(carrying(WORDS)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/-overview\.json row title$/),
        expect.stringMatching(/-slos\.json \w+ description$/),
      ]),
    );
    expect(carrying(WORDS).length).toBeGreaterThanOrEqual(6);
    // The slow-span table's title names the route as the spec does.
    expect(shown.map(({ text }) => text)).toContain(
      'http.server.request.duration: server spans slower than 250ms (http.route=/pay/$instance)',
    );
  });
});
