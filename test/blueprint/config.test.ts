import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../examples/blueprint/config.js';

const minimal = `
[dependencies.geo]
url = "http://127.0.0.1:1"
[dependencies.profile]
url = "http://127.0.0.1:2"
[tenants.acme]
class = "latency-sensitive"
queue_bound = 10
`;

function issuesOf(text: string): readonly string[] {
  try {
    parseConfig(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('blueprint config', () => {
  it('defaults to the seed values', () => {
    const config = parseConfig(minimal, 'x', '/base');
    expect(config.ingress).toMatchObject({ maxInFlight: 2048, timeoutMs: 250 });
    expect(config.enrichment).toMatchObject({ fanout: 2, budgetMs: 80 });
    expect(config.storage).toMatchObject({
      minBatch: 25,
      maxBatch: 100,
      maxWaitMs: 50,
      path: '/base/blueprint.db',
    });
    expect(config.tenants).toEqual([{ name: 'acme', class: 'latency-sensitive', queueBound: 10 }]);
  });

  it('loads the committed blueprint.toml', async () => {
    const config = await loadConfig(
      new URL('../../examples/blueprint/blueprint.toml', import.meta.url).pathname,
    );
    expect(config.service).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.tenants.map((t) => t.class)).toContain('best-effort');
  });

  it('names every bad key at once', () => {
    const issues = issuesOf(`
[service]
listen = "nowhere"
[ingress]
max_in_flight = "lots"
timeout_ms = 0
[storage]
min_batch = 200
max_batch = 100
synchronous = "sometimes"
colour = "blue"
[enrichment]
fanout = 3
${minimal}`);
    const keys = issues.map((i) => i.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'service.listen',
        'ingress.max_in_flight',
        'ingress.timeout_ms',
        'storage.min_batch',
        'storage.synchronous',
        'storage.colour',
        'enrichment.fanout',
      ]),
    );
  });

  it('requires a tenant and a url per dependency', () => {
    const issues = issuesOf('[enrichment]\nfanout = 1\n[dependencies.geo]\n');
    expect(issues.some((i) => i.startsWith('dependencies.geo.url: required'))).toBe(true);
    expect(issues.some((i) => i.startsWith('tenants:'))).toBe(true);
  });

  it('reports TOML syntax errors with their position', () => {
    expect(() => parseConfig('[ingress\nmax_in_flight = 1')).toThrow(/not valid TOML at line 1/);
  });

  it('refuses a budget that does not fit in the request timeout', () => {
    expect(issuesOf(`[ingress]\ntimeout_ms = 50\n${minimal}`)).toContain(
      'enrichment.budget_ms: must be below ingress.timeout_ms (50), got 80',
    );
  });
});
