// Regression (log review): an untrusted string within its cap was escaped, then cut to the cap:
// `'abc\n\n😀'` with maxLength 8 (7 UTF-16 units) became `'abc\\n\\n\ud83d'`, a lone surrogate
// (and a cut could leave half an escape such as `\x1`), with no too_long violation although the
// emoji was gone. The cut now falls between whole characters and escapes, and is reported.
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'note.added': { level: 'info', fields: { text: { type: 'string', untrusted: true, maxLength: 8 } } },
  },
});

it('cuts an escaped value between whole characters and reports it too long', () => {
  const captured = captureLines();
  const bridged: Record<string, unknown>[] = [];
  const violations: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: { emit: (_event, _level, attributes) => bridged.push(attributes) },
    onViolation: (event, reason) => violations.push(`${event}/${reason}`),
  });
  log.event('note.added', { text: 'abc\n\n😀' });
  log.event('note.added', { text: 'abcde\u001b' });
  log.event('note.added', { text: 'ab\n' });
  expect(bridged.map((attributes) => attributes.text)).toEqual(['abc\\n\\n', 'abcde', 'ab\\n']);
  for (const attributes of bridged) expect((attributes.text as string).isWellFormed()).toBe(true);
  expect(captured.lines.map((line) => line.text)).toEqual(['abc\\n\\n', 'abcde', 'ab\\n']);
  expect(captured.lines.map((line) => line.schema_violations)).toEqual([
    [{ field: 'text', reason: 'too_long' }],
    [{ field: 'text', reason: 'too_long' }],
    undefined,
  ]);
  expect(violations).toEqual(['note.added/too_long', 'note.added/too_long']);
});
