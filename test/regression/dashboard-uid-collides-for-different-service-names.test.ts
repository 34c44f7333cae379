// Regression: the dashboards' uid, tags and file names came from the service name lowercased, every
// other character replaced by `-` and cut at 30 characters. An SRE trial found `payment.worker`
// and `payment-worker` both writing payment-worker-overview.json with uid
// `payment-worker-overview`, and two services sharing a 30-character prefix colliding the same
// way; Grafana provisioning then loads only one of the dashboards. A name that had to be changed
// (case, characters replaced, cut) now ends in 8 hex digits of a hash of the original name, so
// each service has its own uids, within Grafana's 40 characters; a name that already is a slug
// (`payment-worker`, `blueprint`) keeps the uid it always had, so existing links do not break.
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

function specNamed(name: string): TelemetrySpec {
  return {
    service: { name },
    events: {},
    counters: { 'jobs.done': { description: 'Jobs done.', attributes: ['result'] } },
    slos: {
      jobs: {
        description: 'Jobs that do not fail.',
        objective: 99,
        sli: { kind: 'availability', metric: 'jobs.done', bad: { result: ['failed'] } },
      },
    },
  };
}

/** Dashboard file name → uid, for every dashboard of the service. */
function dashboards(name: string): Map<string, string> {
  const uids = new Map<string, string>();
  for (const [file, text] of renderDashboards(specNamed(name))) {
    if (file.includes('/') || !file.endsWith('.json')) continue; // provisioning/, .lint
    uids.set(file, (JSON.parse(text) as { uid: string }).uid);
  }
  return uids;
}

const PREFIX = 'checkout-settlement-reconciler-';
// 31 characters: cut at 30, every name starting with it had one slug.

describe('services with different names get different dashboards', () => {
  it.each([
    ['payment.worker', 'payment-worker'],
    ['Payment-Worker', 'payment-worker'],
    [`${PREFIX}eu`, `${PREFIX}us`],
    [`${PREFIX}eu`, PREFIX.slice(0, 30)],
  ])('%s and %s: no file name or uid in common', (first, second) => {
    const a = dashboards(first);
    const b = dashboards(second);
    expect(a.size).toBe(3);
    expect(b.size).toBe(3);
    expect(
      [...a.keys()].filter((file) => b.has(file)),
      'file names',
    ).toEqual([]);
    expect(
      [...a.values()].filter((uid) => [...b.values()].includes(uid)),
      'uids',
    ).toEqual([]);
  });

  it.each(['payment.worker', `${PREFIX}eu`, 'Orders.API', `${'x'.repeat(200)}.svc`, '-._edge_.-'])(
    '%s: uids within Grafana limits, the slug in tags and file names, stable across runs',
    (name) => {
      const uids = dashboards(name);
      for (const [file, uid] of uids) {
        expect(uid.length, uid).toBeLessThanOrEqual(40);
        expect(uid).toMatch(/^[a-z0-9_-]+$/);
        expect(file).toBe(`${uid}.json`);
      }
      expect(dashboards(name)).toEqual(uids);
    },
  );

  it.each([
    ['payment-worker', 'payment-worker'],
    ['blueprint', 'blueprint'],
    ['orders_api-2', 'orders_api-2'],
    [PREFIX.slice(0, 30), PREFIX.slice(0, 30)],
  ])('a name that already is a slug keeps its old uids: %s', (name, slug) => {
    expect([...dashboards(name)].sort()).toEqual(
      ['overview', 'pipeline', 'slos'].map((kind) => [`${slug}-${kind}.json`, `${slug}-${kind}`]),
    );
  });

  it('a changed name keeps its readable part in front of the hash', () => {
    expect(dashboards('payment.worker').get('payment-worker-overview.json')).toBeUndefined();
    const [overview] = [...dashboards('payment.worker').values()].filter((uid) => uid.endsWith('-overview'));
    expect(overview).toMatch(/^payment-worker-[0-9a-f]{8}-overview$/);
  });
});
