// Regression: Go's YAML reader (yaml.v3, the collector's) refuses a file holding DEL (U+007F), a C1
// control other than NEL (U+0080-U+0084, U+0086-U+009F) or a noncharacter U+FFFE/U+FFFF, raw,
// anywhere ("yaml: control characters are not allowed"). The `yaml` package writes them as they
// are (DEL and C1 in double quotes, U+FFFE/U+FFFF plain): an attribute policy whose key or one of
// whose values held one made a single.yaml the collector refused to start with (1 of 1 such spec).
// They are now written as YAML escapes in double-quoted scalars. Real parts: the plumbline
// collector running the generated single.yaml, one trace per value over OTLP/HTTP, the kept traces
// read from its trace file.
import { describe, expect, it } from 'vitest';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const listed = ['x\u007fz', 'a\u0080b', 'c\u0084d', 'e\u0086f', 'g\u009fh', 'i\uFFFEj', 'k\uFFFFl'];
/** Near misses: the values without the character, or with a neighbour Go's reader accepts. */
const unlisted = ['xz', 'ab', 'a\u0085b', 'g\u00a0h', 'i\uFFFDj', 'kl'];

describe('spec strings holding a character Go YAML refuses raw', () => {
  it('the collector starts, and keeps exactly the traces carrying a listed value', async () => {
    const { kept } = await keptByCollector(
      [{ name: 'tenants', kind: 'attribute', key: 'tenant', values: listed }],
      'tenant',
      [...listed, ...unlisted],
    );
    expect([...kept].sort()).toEqual([...listed].sort());
  }, 90_000);

  it('the same in the key, through string_attribute and the OTTL condition for ""', async () => {
    const key = 'ten\u007fant\u0090';
    const { kept } = await keptByCollector(
      [{ name: 'tenants', kind: 'attribute', key, values: ['', 'gold'] }],
      key,
      ['', 'gold', 'silver'],
    );
    expect([...kept].sort()).toEqual(['', 'gold']);
  }, 90_000);
});
