// Regression: an attribute policy listing the empty string keeps, in-process, the traces where a
// span's value is "" (a string attribute, set and empty); the generated string_attribute listed ""
// too, which the collector never matches (nor `^$` as a regex), so 1 of the 1 traces carrying ""
// was dropped by the gateway. The empty value now gets an OTTL condition policy of its own.
// Real parts: the in-process policy, the plumbline collector running the generated single.yaml,
// traces over OTLP/HTTP, the kept ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { AttributePolicy } from '../../src/sampling/attribute-policy.js';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const listed = ['', 'a.b', 'x$y', '(gold)'];
const unlisted = ['aXb', 'x', 'gold', ' ', 'a.b.c'];

describe('an attribute policy listing the empty string', () => {
  it('keeps in the collector exactly the values it keeps in-process', async () => {
    const policy = new AttributePolicy('tenants', 'tenant', listed);
    const inProcess = [...listed, ...unlisted].filter((value) =>
      (policy as unknown as { matchesSpan(span: unknown): boolean }).matchesSpan({
        attributes: { tenant: value },
        resource: { attributes: {} },
      }),
    );
    expect(inProcess.sort()).toEqual([...listed].sort());
    const { kept } = await keptByCollector(
      [{ name: 'tenants', kind: 'attribute', key: 'tenant', values: listed }],
      'tenant',
      [...listed, ...unlisted],
    );
    expect([...kept].sort()).toEqual([...listed].sort());
  }, 90_000);

  it('matches "" under a key holding quotes and backslashes, alone in its list', async () => {
    const key = 'te"n\\ant';
    const { kept } = await keptByCollector([{ name: 'tenants', kind: 'attribute', key, values: [''] }], key, [
      '',
      'v',
    ]);
    expect([...kept]).toEqual(['']);
  }, 90_000);
});
