// Regression (log review): an event field named like a key of the line's envelope was accepted.
// Its line then held the key twice, `"service":"edge",...,"service":"admin-console"`, and JSON
// readers keep the last one, so a value could pass a line off as another service's (or another
// event, level or trace); the exported line schema did not compile either (duplicate required
// keys). The spec now refuses such a field, naming it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry, specLineSchemaDocument } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const withField = (field: string) => ({
  service: { name: 'edge' },
  events: { call: { level: 'info' as const, fields: { [field]: { type: 'string' as const } } } },
});

it('refuses a field named like an envelope key, naming the field', () => {
  for (const field of [
    'service',
    'event',
    'level',
    'time',
    'trace_id',
    'span_id',
    'schema_version',
    'suppressed',
  ]) {
    expect(() => defineTelemetry(withField(field))).toThrow(
      new RegExp(`events\\.call\\.fields\\.${field}: is a key of every line's envelope`),
    );
  }
});

it('keeps one service key on the line of a spec that passes', () => {
  const spec = defineTelemetry(withField('caller_service'));
  const captured = captureLines();
  createEventLogger(spec, { destination: captured.destination }).event('call', {
    caller_service: 'admin-console',
  });
  expect(captured.raw[0]!.match(/"service":/g)).toHaveLength(1);
  expect(captured.lines[0]).toMatchObject({ service: 'edge', caller_service: 'admin-console' });
  expect(new Ajv2020({ strict: false }).compile(specLineSchemaDocument(spec))(captured.lines[0])).toBe(true);
});
