// Regression (log review): a security event could declare a field named like a key the security
// stream writes itself (`count` on every first sighting, `summary`, `first_time`, `last_time`,
// `sample`, `top_sources` on summaries). The stream overwrote it: a call with `count: 42` was
// written with `count: 1`. The spec now refuses such a field on a security event, naming it; an
// event that is not a security event keeps it.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const withField = (field: string, security: boolean) => ({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn' as const,
      security,
      fields: {
        source: { type: 'string' as const },
        outcome: { type: 'string' as const },
        [field]: { type: 'integer' as const },
      },
    },
  },
});

it('refuses a security event field the security stream writes, naming it', () => {
  for (const field of ['count', 'summary', 'first_time', 'last_time', 'sample', 'top_sources']) {
    expect(() => defineTelemetry(withField(field, true))).toThrow(
      new RegExp(`events\\["auth\\.failed"\\]\\.fields\\.${field}: is written by the security stream`),
    );
  }
});

it('keeps a count field on an event that is not a security event', () => {
  const captured = captureLines();
  createEventLogger(defineTelemetry(withField('count', false)), { destination: captured.destination }).event(
    'auth.failed',
    { source: 's', outcome: 'denied', count: 42 },
  );
  expect(captured.lines[0]!.count).toBe(42);
});
