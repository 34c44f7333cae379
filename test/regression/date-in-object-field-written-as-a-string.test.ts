// Regression (log review): a Date (or anything whose toJSON answers a string) passed for an
// `object` field was written as JSON writes it, `"ctx":"1970-01-01T00:00:00.000Z"` or
// `"ctx":null`, with no violation, and the line failed the event's exported schema. It is now a
// wrong_type violation naming the field, and the rest of the line is kept.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry, specLineSchemaDocument } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'job.done': {
      level: 'info',
      fields: { id: { type: 'string' }, ctx: { type: 'object', required: false } },
    },
  },
});

it('reports a Date in an object field as wrong_type and keeps the line valid', () => {
  const captured = captureLines();
  const violations: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    onViolation: (event, reason) => violations.push(`${event}/${reason}`),
  });
  log.event('job.done', { id: 'a', ctx: new Date(0) as never });
  log.event('job.done', { id: 'b', ctx: new Date(Number.NaN) as never });
  log.event('job.done', { id: 'c', ctx: { toJSON: () => 42 } });
  log.event('job.done', { id: 'd', ctx: { at: new Date(0), toJSON: () => ({ at: 0 }) } });
  log.event('job.done', { id: 'e', ctx: { step: 2 } });
  expect(captured.lines.map((line) => [line.id, line.ctx])).toEqual([
    ['a', undefined],
    ['b', undefined],
    ['c', undefined],
    ['d', { at: 0 }],
    ['e', { step: 2 }],
  ]);
  expect(captured.lines.slice(0, 3).map((line) => line.schema_violations)).toEqual([
    [{ field: 'ctx', reason: 'wrong_type' }],
    [{ field: 'ctx', reason: 'wrong_type' }],
    [{ field: 'ctx', reason: 'wrong_type' }],
  ]);
  expect(violations).toEqual(['job.done/wrong_type', 'job.done/wrong_type', 'job.done/wrong_type']);
  const validate = new Ajv2020({ strict: false }).compile(specLineSchemaDocument(spec));
  for (const line of captured.lines) expect(validate(line), JSON.stringify(line)).toBe(true);
});
