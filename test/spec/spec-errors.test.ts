import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadSpecFile, specIssues } from '../../src/index.js';
import { checkSampling } from '../../src/sampling/check-sampling.js';
import { specPath } from '../../src/spec/errors.js';

function issuesOf(spec: unknown) {
  return specIssues(spec).map((issue) => `${issue.path}: ${issue.message}`);
}

const base = { service: { name: 'svc' }, events: {} };
const histogram = { description: 'd', unit: 's', buckets: { boundaries: [0.1, 0.5] } };

describe('one path notation', () => {
  it('dots identifiers, brackets quoted keys and indices', () => {
    expect(specPath('slos', 'orders-latency', 'sli', 'threshold')).toBe(
      'slos["orders-latency"].sli.threshold',
    );
    expect(specPath('events', 'batch.stored', 'fields', 'source')).toBe(
      'events["batch.stored"].fields.source',
    );
    expect(specPath('sampling', 'policies', 2, 'weights', 'gold')).toBe('sampling.policies[2].weights.gold');
    expect(specPath('sampling', 'policies', 1, 'routes', '/x')).toBe('sampling.policies[1].routes["/x"]');
    expect(specPath()).toBe('(spec)');
  });

  it('spells a non-identifier name the same way in structure and reference problems', () => {
    const issues = specIssues({
      ...base,
      counters: { 'orders.requests': { description: 'r', attributes: ['outcome'] } },
      histograms: { 'orders.duration': { ...histogram, buckets: { boundaries: [0.5, 0.1] } } },
      slos: {
        'orders-latency': {
          description: 'l',
          objective: 99,
          window: '7x',
          sli: { kind: 'latency', histogram: 'orders.duration', threshold: 0.3 },
        },
        'orders-availability': {
          description: 'a',
          objective: 99.9,
          sli: { kind: 'availability', metric: 'orders.requests', bad: { outcme: ['error'] } },
          alerting: {
            'page-fast': { severity: 'page', burnRate: 14.4, longWindow: '1h', shortWindow: '2h' },
          },
        },
      },
      sampling: {
        policies: [{ name: 'slow', kind: 'latency', thresholdMs: 100, routes: { '/orders': -1 } }],
      },
    }).map((issue) => issue.path);
    expect(issues).toEqual(
      expect.arrayContaining([
        'slos["orders-latency"].window',
        'histograms["orders.duration"].buckets.boundaries[1]',
        'slos["orders-availability"].sli.bad.outcme',
        'slos["orders-availability"].alerting["page-fast"].shortWindow',
        'sampling.policies[0].routes["/orders"]',
      ]),
    );
    // No path anywhere uses a dotted non-identifier key.
    for (const path of issues)
      expect(path).not.toMatch(/\.[A-Za-z0-9_]*[-/][A-Za-z0-9_/-]*(\.|\[|$)|\.[0-9]+(\.|\[|$)/);
  });
});

describe('did you mean', () => {
  it('suggests the closest histogram, counter or attribute for a broken reference', () => {
    const issues = issuesOf({
      ...base,
      counters: { 'http.requests': { description: 'r', attributes: ['outcome', 'route'] } },
      histograms: { 'http.duration': histogram },
      slos: {
        latency: {
          description: 'l',
          objective: 99,
          sli: { kind: 'latency', histogram: 'http.duraton', threshold: 0.5 },
        },
        avail: {
          description: 'a',
          objective: 99,
          sli: { kind: 'availability', metric: 'http.request', bad: { outcome: ['error'] } },
        },
        attr: {
          description: 'a',
          objective: 99,
          sli: { kind: 'availability', metric: 'http.requests', bad: { outcom: ['error'] } },
        },
      },
    });
    expect(issues).toContain(
      'slos.latency.sli.histogram: no histogram named "http.duraton" in the spec; did you mean "http.duration"?',
    );
    expect(issues).toContain(
      'slos.avail.sli.metric: no counter or histogram named "http.request" in the spec; did you mean "http.requests"?',
    );
    expect(issues).toContain(
      'slos.attr.sli.bad.outcom: "http.requests" has no attribute "outcom" (it has: outcome, route); did you mean "outcome"?',
    );
  });

  it('suggests the known key for a misspelt one, and nothing when no key is close', () => {
    const issues = issuesOf({
      ...base,
      histograms: { h: { ...histogram, descripton: 'x' } },
      slos: {
        s: { description: 's', objectve: 99, sli: { kind: 'latency', histogram: 'h', threshold: 0.5 } },
      },
    });
    expect(issues).toContain('histograms.h.descripton: is not a known key here; did you mean "description"?');
    expect(issues).toContain('slos.s.objectve: is not a known key here; did you mean "objective"?');
    expect(issuesOf({ ...base, service: { name: 'svc', colour: 'red' } })).toEqual([
      'service.colour: is not a known key here (check its spelling and the section it is in)',
    ]);
  });

  it('suggests a misspelt section and a key of a policy of one kind', () => {
    const issues = issuesOf({
      ...base,
      histogram: {},
      sampling: { policies: [{ name: 'slow', kind: 'latency', thresholdMS: 100 }] },
    });
    expect(issues).toContain('histogram: is not a known key here; did you mean "histograms"?');
    expect(issues).toContain(
      'sampling.policies[0].thresholdMS: is not a known key here; did you mean "thresholdMs"?',
    );
  });

  it('suggests nothing for a name far from every known one', () => {
    const issues = issuesOf({
      ...base,
      histograms: { 'http.duration': histogram },
      slos: {
        l: {
          description: 'l',
          objective: 99,
          sli: { kind: 'latency', histogram: 'queue.depth', threshold: 1 },
        },
      },
    });
    expect(issues).toEqual(['slos.l.sli.histogram: no histogram named "queue.depth" in the spec']);
  });

  it('suggests a policy kind where the sampler checks its section alone', () => {
    const [issue] = checkSampling({ sampling: { policies: [{ name: 'e', kind: 'error' as 'errors' }] } });
    expect(issue).toEqual({
      path: 'sampling.policies[0].kind',
      message:
        'must be one of errors, latency, exemplar, attribute, budget, got error; did you mean "errors"?',
    });
  });
});

describe('one round on malformed sections', () => {
  it('still checks references when other sections are malformed, without failing on them', () => {
    const issues = issuesOf({
      service: { name: 'svc' },
      histograms: { h: null, 'http.duration': histogram },
      counters: { c: { description: 'c', cardinalityLimit: 0 } },
      sampling: { policies: [null, { name: 'b', kind: 'budget', tracesPerSecond: 0 }] },
      slos: {
        s: {
          description: 's',
          objective: 99,
          sli: { kind: 'latency', histogram: 'http.duratio', threshold: 0.5 },
        },
      },
    });
    expect(issues).toContain('events: is required but missing');
    expect(issues).toContain(
      'slos.s.sli.histogram: no histogram named "http.duratio" in the spec; did you mean "http.duration"?',
    );
    expect(issues.some((issue) => issue.startsWith('histograms.h:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('counters.c.cardinalityLimit:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('sampling.policies[0]:'))).toBe(true);
    expect(issues.some((issue) => issue.startsWith('sampling.policies[1].tracesPerSecond:'))).toBe(true);
    // Each place once: a check does not repeat what the structure already said there.
    const paths = issues.map((issue) => issue.slice(0, issue.indexOf(': ')));
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('reports both rounds at once from a YAML file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-spec-'));
    const file = join(dir, 'spec.yaml');
    await writeFile(
      file,
      stringify({
        service: { name: 'svc' },
        events: { e: { level: 'nope', fields: {} } },
        slos: {
          s: { description: 's', objective: 99, sli: { kind: 'latency', histogram: 'gone', threshold: 1 } },
        },
      }),
    );
    const failure = loadSpecFile(file);
    await expect(failure).rejects.toThrow(/events\.e\.level: must be one of/);
    await expect(failure).rejects.toThrow(/slos\.s\.sli\.histogram: no histogram named "gone"/);
  });
});
