// User-supplied strings are escaped before they reach any destination: the JSON line is safe by
// its encoding, but the same value also goes to OTel Logs and from there to terminals and UIs.
// Control characters (C0, DEL, C1: newlines, ANSI escapes) become visible \n, \t or \xNN text.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_GLOBAL = /[\u0000-\u001f\u007f-\u009f]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function hasControlCharacters(value: string): boolean {
  return CONTROL.test(value);
}

export function escapeControlCharacters(value: string): string {
  return value.replace(
    CONTROL_GLOBAL,
    (char) => NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
