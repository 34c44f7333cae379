// Regression (hostile-traffic trial): an untrusted field passed U+200B (zero-width space) through
// raw while U+202E and U+2028 were escaped: `ad\u200bmin` showed as `admin` in a terminal or a log
// UI, past a grep or an alert on the value. The invisible characters are escaped like the bidi
// controls now; the zero-width joiner and non-joiner stay (emoji and several scripts need them).
import { describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { escapeControlCharacters } from '../../src/logs/untrusted.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'login.failed': { level: 'warn', fields: { user: { type: 'string', untrusted: true } } },
  },
});

describe('untrusted field keeps zero-width space', () => {
  it('escapes the invisible characters that make two values look alike', () => {
    expect(escapeControlCharacters('ad\u200bmin')).toBe('ad\\u200bmin');
    expect(escapeControlCharacters('\ufeffroot')).toBe('\\ufeffroot');
    expect(escapeControlCharacters('a\u2060b\u2062c\u180ed\u00ade')).toBe('a\\u2060b\\u2062c\\u180ed\\xade');
  });

  it('leaves the joiners emoji and scripts need', () => {
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}';
    expect(escapeControlCharacters(family)).toBe(family);
    expect(escapeControlCharacters('\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645')).toBe(
      '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645',
    );
  });

  it('writes the escaped value on the event line', async () => {
    const capture = captureLines();
    const telemetry = createTelemetry(spec, { logDestination: capture.destination, registerGlobal: false });
    telemetry.log.event('login.failed', { user: 'ad\u200bmin' });
    await telemetry.shutdown();
    expect(capture.lines.map((line) => line.user)).toEqual(['ad\\u200bmin']);
  });
});
