// Regression (log review): `untrusted: true` was accepted on a `string[]` field and then ignored:
// `tags: ['ad\u200bmin', '\u001b[31mred']` reached the line and OTel Logs unchanged, a zero-width
// space and an ANSI escape included. Each entry is now escaped as an untrusted string is.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'note.added': { level: 'info', fields: { tags: { type: 'string[]', untrusted: true } } },
    'audit.noted': {
      level: 'warn',
      security: true,
      fields: {
        source: { type: 'string' },
        outcome: { type: 'string' },
        tags: { type: 'string[]', untrusted: true },
      },
    },
  },
});

it('escapes every entry of an untrusted string list, in the line and in OTel Logs', () => {
  const app = captureLines();
  const security = captureLines();
  const bridged: Record<string, unknown>[] = [];
  const log = createEventLogger(spec, {
    destination: app.destination,
    securityDestination: security.destination,
    bridge: { emit: (_event, _level, attributes) => bridged.push(attributes) },
  });
  log.event('note.added', { tags: ['ad\u200bmin', '\u001b[31mred', 'plain'] });
  log.event('audit.noted', { source: 's', outcome: 'denied', tags: ['a\nb'] });
  expect(app.lines[0]!.tags).toEqual(['ad\\u200bmin', '\\x1b[31mred', 'plain']);
  expect(bridged[0]!.tags).toEqual(['ad\\u200bmin', '\\x1b[31mred', 'plain']);
  expect(security.lines[0]!.tags).toEqual(['a\\nb']);
  // A list with nothing to escape is written as given.
  log.event('note.added', { tags: ['admin'] });
  expect(app.lines[1]!.tags).toEqual(['admin']);
});
