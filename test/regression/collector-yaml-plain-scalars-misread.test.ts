// Regression: spec strings the `yaml` package writes plain (it follows YAML 1.2's core schema) that
// the collector's Go YAML reader (yaml.v3, partly YAML 1.1) reads as something else. An attribute
// policy listing `1_000`, `0b101` or `2001-12-14` made a single.yaml the collector refused to start
// with ("expected type 'string', got unconvertible type 'int'" / "'time.Time'"); one with a line
// or paragraph separator (U+2028, U+2029) one it could not read at all ("could not find expected
// ':'"); and a value holding a NEL (U+0085) was read with a line break in its place, so the trace
// carrying the spec's value was dropped (1 of 1). Such strings are now double-quoted, the three
// separators written as YAML escapes. Real parts: the plumbline collector running the generated
// single.yaml, one trace per value over OTLP/HTTP, the kept traces read from its trace file.
import { describe, expect, it } from 'vitest';
import { keptByCollector } from '../support/collector-attribute-probe.js';

/** Values Go's reader took for numbers, dates, booleans or line breaks when written plain. */
const listed = [
  '1_000',
  '0b101',
  '-0b1',
  '+0x_1F',
  '1_0.5',
  '2001-12-14',
  '2001-12-14 21:59:43.10 -5',
  'yes',
  'off',
  'n',
  '<<',
  'a\u0085b',
  'x\u2028y',
  'p\u2029q',
  '\uFEFFbom',
  'line one\nline two, long enough for the writer to fold it over lines',
];
/** Near misses: what the collector read instead, which the spec does not list. */
const unlisted = ['1000', '5', 'a b', 'a\nb', 'x y', 'x\ny', 'p q', 'bom', 'line one line two'];

describe('spec strings the collector reads as something else when written plain', () => {
  it('the collector starts, and keeps exactly the traces carrying a listed value', async () => {
    const { kept } = await keptByCollector(
      [{ name: 'tenants', kind: 'attribute', key: 'tenant', values: listed }],
      'tenant',
      [...listed, ...unlisted],
    );
    expect([...kept].sort()).toEqual([...listed].sort());
  }, 90_000);
});
