// Regression: plumbline_otlp_rejected_spans_total and plumbline_otlp_rejected_log_records_total
// (what a collector's partial success rejected) were written by the telemetry but not listed with
// the SDK's own series, so a spec instrument of the same family name was accepted (two families
// of one name on /metrics: Prometheus drops the target) and check live did not know them.
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';

describe('instrument named like an OTLP rejected-items series', () => {
  for (const name of ['plumbline.otlp.rejected.spans', 'plumbline.otlp.rejected.log_records']) {
    it(`refuses counter ${name}`, () => {
      const define = () =>
        defineTelemetry({
          service: { name: 'edge' },
          events: {},
          counters: { [name]: { description: 'clash' } },
        });
      expect(define).toThrow(SpecError);
      expect(define).toThrow(/plumbline's own metric plumbline_otlp_rejected_/);
    });
  }
});
