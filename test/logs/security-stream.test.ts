import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createEventLogger, defineTelemetry, specLineSchemaDocument, specIssues } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'request.rejected': {
      level: 'info',
      fields: { tenant: { type: 'string' }, reason: { type: 'string', untrusted: true, maxLength: 64 } },
    },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: {
        source: { type: 'string' },
        outcome: { type: 'string', enum: ['denied'] },
        tenant: { type: 'string', required: false, untrusted: true },
        token: { type: 'string', sensitive: true, required: false },
      },
    },
    'body.malformed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

function setup(maxLinesPerWindow = 20) {
  const app = captureLines();
  const security = captureLines();
  const counted: string[] = [];
  const log = createEventLogger(spec, {
    destination: app.destination,
    securityDestination: security.destination,
    security: { foldWindowMs: 60_000, maxLinesPerWindow },
    onSecurityEvent: (event, outcome) => counted.push(`${event}/${outcome}`),
  });
  return { log, app, security, counted };
}

const validate = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(spec));

describe('security-event stream', () => {
  it('folds a flood into a bounded number of lines whose counts add up, and keeps it out of the app log', async () => {
    const { log, app, security, counted } = setup();
    for (let i = 0; i < 10_000; i++) {
      log.event('auth.failed', { source: `10.0.0.${i % 50}`, outcome: 'denied', token: 'tok-secret' });
    }
    for (let i = 0; i < 500; i++) log.event('body.malformed', { source: '10.0.0.1', outcome: 'rejected' });
    await log.close();

    expect(app.lines).toEqual([]);
    // 20 first sightings + their 20 summaries + one overflow summary.
    expect(security.lines.length).toBeLessThanOrEqual(41);
    const grandTotal = security.lines.reduce((sum, l) => sum + (l.count as number), 0);
    expect(grandTotal).toBe(10_500);
    const overflow = security.lines.find((l) => l.event === '(many)');
    expect(overflow).toMatchObject({ summary: true, source: '(many)' });
    expect(counted).toHaveLength(10_500);
    expect(counted.filter((c) => c === 'body.malformed/rejected')).toHaveLength(500);
    expect(security.raw.join('')).not.toContain('tok-secret');
    for (const line of security.lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);

    const summary = security.lines.find((l) => l.summary === true && l.event === 'auth.failed')!;
    expect(summary).toMatchObject({ level: 'warn', outcome: 'denied', service: 'edge' });
    expect(Date.parse(summary.last_time as string)).toBeGreaterThanOrEqual(
      Date.parse(summary.first_time as string),
    );
    expect((summary.sample as Record<string, unknown>).token).toBe('[REDACTED]');
  });

  it('keeps counts for the heaviest sources of the (many) overflow, so a heavy source cannot hide behind many light ones', async () => {
    const { log, security } = setup(5);
    // 5 lines fill the window; then 2,000 one-off sources and one source sending 3,000 times.
    for (let i = 0; i < 5; i++) log.event('auth.failed', { source: `10.1.0.${i}`, outcome: 'denied' });
    for (let i = 0; i < 2_000; i++) {
      log.event('auth.failed', { source: `10.2.${i >> 8}.${i & 255}`, outcome: 'denied' });
      log.event('body.malformed', { source: '203.0.113.9', outcome: 'rejected' });
      if (i % 2 === 0) log.event('body.malformed', { source: '203.0.113.9', outcome: 'rejected' });
    }
    await log.close();
    const overflow = security.lines.find((l) => l.event === '(many)')!;
    expect(overflow.count).toBe(5_000);
    const top = overflow.top_sources as { source: string; count: number; error: number }[];
    expect(top.length).toBeLessThanOrEqual(10);
    expect(top[0]!.source).toBe('203.0.113.9');
    expect(top[0]!.count - top[0]!.error).toBeLessThanOrEqual(3_000);
    expect(top[0]!.count).toBeGreaterThanOrEqual(3_000);
    expect(validate(overflow), JSON.stringify(validate.errors)).toBe(true);
  });

  it('writes the first sighting of each event and source at once, with count 1', () => {
    const { log, security } = setup();
    log.event('auth.failed', { source: 'a', outcome: 'denied' });
    log.event('auth.failed', { source: 'b', outcome: 'denied' });
    log.event('auth.failed', { source: 'a', outcome: 'denied' });
    expect(security.lines.map((l) => [l.source, l.count])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('folds by event, source and outcome: two outcomes from one source are two summaries', async () => {
    const { log, security } = setup();
    for (let i = 0; i < 3; i++) log.event('body.malformed', { source: 's', outcome: 'invalid_json' });
    for (let i = 0; i < 2; i++) log.event('body.malformed', { source: 's', outcome: 'too_large' });
    await log.close();
    const byOutcome = (outcome: string) =>
      security.lines.filter((l) => l.outcome === outcome).reduce((sum, l) => sum + (l.count as number), 0);
    expect(byOutcome('invalid_json')).toBe(3);
    expect(byOutcome('too_large')).toBe(2);
  });

  it('requires source and outcome on security events', () => {
    const bad = { service: { name: 's' }, events: { e: { level: 'warn', security: true, fields: {} } } };
    expect(specIssues(bad).map((i) => i.path)).toEqual(['events.e.fields.source', 'events.e.fields.outcome']);
  });
});

describe('untrusted fields', () => {
  it('escapes newlines, control characters and ANSI escapes, and caps the length', () => {
    const { log, app } = setup();
    log.event('request.rejected', { tenant: 't', reason: 'bad\n{"level":"fatal"}\u001b[2J\u0007' });
    expect(app.raw).toHaveLength(1);
    expect(app.lines[0]!.reason).toBe('bad\\n{"level":"fatal"}\\x1b[2J\\x07');
    log.event('request.rejected', { tenant: 't', reason: '\n'.repeat(100) });
    expect((app.lines[1]!.reason as string).length).toBe(64);
    expect(app.lines[1]!.schema_violations).toEqual([{ field: 'reason', reason: 'too_long' }]);
  });
});
