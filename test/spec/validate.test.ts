import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defineTelemetry, loadSpecFile, SpecError, specIssues, type TelemetrySpec } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';

function issuesOf(spec: unknown) {
  return specIssues(spec).map((issue) => `${issue.path}: ${issue.message}`);
}

describe('spec validation', () => {
  it('accepts a valid spec and returns it unchanged', () => {
    expect(specIssues(ordersSpec)).toEqual([]);
    expect(defineTelemetry(ordersSpec)).toBe(ordersSpec);
  });

  it('names the bad field and says what was expected', () => {
    const spec = {
      service: { name: 'svc' },
      events: {
        'a.b': { level: 'loud', fields: { x: { type: 'strng' } } },
        c: { fields: {} },
      },
    };
    expect(issuesOf(spec)).toEqual(
      expect.arrayContaining([
        'events["a.b"].level: must be one of "trace", "debug", "info", "warn", "error", "fatal"',
        'events["a.b"].fields.x.type: must be one of "string", "integer", "number", "boolean", "string[]", "object"; did you mean "string"?',
        'events.c.level: is required but missing',
      ]),
    );
  });

  it('reports unknown keys and missing sections', () => {
    expect(issuesOf({ service: { name: 'svc', colour: 'red' } })).toEqual([
      'events: is required but missing',
      'service.colour: is not a known key here (check its spelling and the section it is in)',
    ]);
  });

  it('checks references between sections', () => {
    const spec = {
      service: { name: 'svc' },
      events: {},
      counters: { requests: { description: 'r' } },
      histograms: { requests: { description: 'd', unit: 's', buckets: { boundaries: [1] } } },
      slos: {
        latency: {
          description: 'l',
          objective: 99,
          sli: { kind: 'latency', histogram: 'nope', threshold: 1 },
        },
        avail: {
          description: 'a',
          objective: 99.9,
          sli: { kind: 'availability', metric: 'gone', bad: { o: ['e'] } },
        },
      },
    };
    const issues = issuesOf(spec);
    expect(issues).toContain('slos.latency.sli.histogram: no histogram named "nope" in the spec');
    expect(issues).toContain('slos.avail.sli.metric: no counter or histogram named "gone" in the spec');
    // Each problem is reported once, by the area that owns the check.
    expect(issues.filter((i) => i.includes('"nope"'))).toHaveLength(1);
    expect(issues).toContain('histograms.requests: is also declared in counters');
  });

  it('checks the SLI by its kind, without noise from the other kind', () => {
    const spec = {
      service: { name: 'svc' },
      events: {},
      histograms: { h: { description: 'd', unit: 's', buckets: { boundaries: [1] } } },
      slos: { l: { description: 'l', objective: 99, sli: { kind: 'latency', histogram: 'h' } } },
    };
    expect(issuesOf(spec)).toEqual(['slos.l.sli.threshold: is required but missing']);
  });

  it('defineTelemetry throws a SpecError listing every problem', () => {
    expect(() => defineTelemetry({ service: { name: '' }, events: {} } as TelemetrySpec)).toThrow(SpecError);
    let error: unknown;
    try {
      defineTelemetry({
        service: { name: 'has space' },
        events: { e: { level: 'info' } },
      } as unknown as TelemetrySpec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).issues.map((i) => i.path).sort()).toEqual([
      'events.e.fields',
      'service.name',
    ]);
    expect((error as Error).message).toMatch(/invalid telemetry spec \(2 problems\)/);
  });
});

describe('loading a spec from a file', () => {
  it('reads JSON and YAML to the same spec', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-spec-'));
    await writeFile(join(dir, 'spec.json'), JSON.stringify(ordersSpec));
    await writeFile(join(dir, 'spec.yaml'), stringify(ordersSpec));
    expect(await loadSpecFile(join(dir, 'spec.json'))).toEqual(ordersSpec);
    expect(await loadSpecFile(join(dir, 'spec.yaml'))).toEqual(ordersSpec);
  });

  it('reads the default export of a TypeScript module', async () => {
    const spec = await loadSpecFile('test/fixtures/orders-spec-module.ts');
    expect(spec.service.name).toBe('orders');
  });

  it('fails with the file name on bad syntax, bad content or unknown format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-spec-'));
    await writeFile(join(dir, 'broken.json'), '{ "service": ');
    await writeFile(
      join(dir, 'bad.yaml'),
      'service: { name: x }\nevents: { e: { level: nope, fields: {} } }\n',
    );
    await expect(loadSpecFile(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadSpecFile(join(dir, 'bad.yaml'))).rejects.toThrow(/events\.e\.level: must be one of/);
    await expect(loadSpecFile(join(dir, 'spec.toml'))).rejects.toThrow(/unknown spec format/);
  });
});
