// User-supplied strings are escaped before they reach any destination: the JSON line is safe by
// its encoding, but the same value also goes to OTel Logs and from there to terminals and UIs.
// Control characters (C0, DEL, C1: newlines, ANSI escapes) become visible \n, \t or \xNN text;
// so do the characters that reorder or break lines where a viewer honours them (Trojan Source,
// CVE-2021-42574): the bidi embeddings, overrides and isolates, the LRM/RLM/ALM marks, and
// U+2028/U+2029 (line breaks to JavaScript and many UIs), as \uXXXX; and the invisible ones that
// make two values look alike (`ad\u200bmin` shown as `admin`, past a grep or an alert on the
// value): the soft hyphen, the Mongolian vowel separator, the zero-width space, the word joiner and
// invisible operators, and the zero-width no-break space (BOM). The zero-width joiner and
// non-joiner are left: emoji sequences and several scripts need them.

const UNSAFE =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const CONTROL = new RegExp(`[${UNSAFE}]`);
const CONTROL_GLOBAL = new RegExp(`[${UNSAFE}]`, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

export function escapeControlCharacters(value: string): string {
  return value.replace(CONTROL_GLOBAL, escaped);
}

/**
 * `value` escaped and at most `cap` UTF-16 units long, cut between whole characters and whole
 * escapes (never inside a surrogate pair or a `\\xNN`); `cut` says whether anything was left out.
 */
export function escapeControlCharactersWithin(value: string, cap: number): { text: string; cut: boolean } {
  const whole = escapeControlCharacters(value);
  if (whole.length <= cap) return { text: whole, cut: false };
  let text = '';
  for (const char of value) {
    const piece = CONTROL.test(char) ? escaped(char) : char;
    if (text.length + piece.length > cap) break;
    text += piece;
  }
  return { text, cut: true };
}

function escaped(char: string): string {
  const code = char.charCodeAt(0);
  return (
    NAMED[char] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}
