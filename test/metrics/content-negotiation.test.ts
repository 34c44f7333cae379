import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/metrics/content-negotiation.js';

describe('negotiateFormat', () => {
  it('answers Prometheus text 0.0.4 when nothing or only text is asked for', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('')).toBe('prometheus');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('prometheus');
    expect(negotiateFormat('*/*')).toBe('prometheus');
  });

  it("answers OpenMetrics to Prometheus's scrape Accept header", () => {
    expect(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
  });

  it('honours q values and ignores OpenMetrics versions it does not write', () => {
    expect(negotiateFormat('application/openmetrics-text;q=0.4,text/plain;q=0.9')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;q=0')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;version=2.0.0')).toBe('prometheus');
    expect(negotiateFormat('text/plain;q=0.5, application/openmetrics-text')).toBe('openmetrics');
  });
});
