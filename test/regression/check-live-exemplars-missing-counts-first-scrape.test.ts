// Regression: `check live` reported "2 observations above 0.05 and no bucket carries an exemplar"
// where its last scrape held 13: a deviation kept its first scrape's detail, and the first scrape
// came after 2 slow requests (a CommonJS express trial). Counts from a scrape are cumulative, so
// exemplars-missing now says what the latest scrape saw. Real parts: the metrics registry's
// OpenMetrics output, parsed and checked as check live does, scrape after scrape.
import { describe, expect, it } from 'vitest';
import { checkExposition } from '../../src/check/check-exposition.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import { parseExposition } from '../../src/check/openmetrics-parser.js';
import { createMetrics } from '../../src/index.js';
import { checkSpec, okRequest } from '../check/check-spec.js';

describe('check-live-exemplars-missing-counts-first-scrape', () => {
  it('the detail counts the observations of the last scrape', () => {
    const metrics = createMetrics(checkSpec);
    const expected = expectedTelemetry(checkSpec);
    const deviations = new Deviations();
    const duration = metrics.histogram('http.server.request.duration');
    const scrape = () =>
      checkExposition(
        expected,
        parseExposition(metrics.serialize('application/openmetrics-text').body),
        true,
        deviations,
      );
    // Slow requests outside any sampled span: no exemplar. Two before the first scrape, 13 by the last.
    for (let i = 0; i < 2; i++) duration.record(0.3, okRequest);
    scrape();
    for (let i = 0; i < 11; i++) duration.record(0.3, okRequest);
    scrape();
    const missing = deviations.list().filter((d) => d.kind === 'exemplars-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.count).toBe(2);
    expect(missing[0]!.detail).toMatch(/^13 observations above/);
  });
});
