// User-supplied strings are escaped before they reach any destination: the JSON line is safe by
// its encoding, but the same value also goes to OTel Logs and from there to terminals and UIs.
// Control characters (C0, DEL, C1: newlines, ANSI escapes) become visible \n, \t or \xNN text;
// so do the characters that reorder or break lines where a viewer honours them (Trojan Source,
// CVE-2021-42574): the bidi embeddings, overrides and isolates, the LRM/RLM/ALM marks, and
// U+2028/U+2029 (line breaks to JavaScript and many UIs), as \uXXXX.

const UNSAFE =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[${UNSAFE}]`);
const CONTROL_GLOBAL = new RegExp(`[${UNSAFE}]`, 'g');
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

export function escapeControlCharacters(value: string): string {
  return value.replace(CONTROL_GLOBAL, (char) => {
    const code = char.charCodeAt(0);
    return (
      NAMED[char] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}
