import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, hasControlCharacters } from '../../src/logs/untrusted.js';

describe('untrusted strings', () => {
  it('escapes C0/C1 controls as \\n, \\t or \\xNN', () => {
    expect(escapeControlCharacters('a\nb\tc\u001b[31md\u0085')).toBe('a\\nb\\tc\\x1b[31md\\x85');
  });

  it('escapes bidi controls and U+2028/U+2029 as \\uXXXX (Trojan Source, CVE-2021-42574)', () => {
    const hostile = 'ok\u202e\u2066gnp.exe\u2069\u200f\u061c\u2028line\u2029para';
    expect(hasControlCharacters(hostile)).toBe(true);
    expect(escapeControlCharacters(hostile)).toBe(
      'ok\\u202e\\u2066gnp.exe\\u2069\\u200f\\u061c\\u2028line\\u2029para',
    );
  });

  it('leaves other text alone, including emoji and right-to-left letters', () => {
    const text = 'tenant é 😀 שלום';
    expect(hasControlCharacters(text)).toBe(false);
    expect(escapeControlCharacters(text)).toBe(text);
  });
});
