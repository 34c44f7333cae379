// Regression: the collector expands `${...}` in every string of its config and reads `$$` as `$`,
// and the generator wrote the spec's strings as they are. An attribute policy listing `a$$b` kept
// the traces carrying `a$b` and dropped those carrying `a$$b`; one listing `${env:PATH}` matched
// the gateway's own PATH (any environment variable of the collector host could be read this
// way), so 3 of the 3 traces carrying a listed value were dropped. Policy names too: `p$` and
// `p$$` made two policies the collector refused to start with (`duplicate policy name "p$"`;
// `otelcol validate` passes it). Every `$` of the spec's strings is now written `$$`. Real parts:
// the plumbline collector running the generated single.yaml, traces over OTLP/HTTP, the kept
// ones read from its trace file.
import { describe, expect, it } from 'vitest';
import { keptByCollector } from '../support/collector-attribute-probe.js';

const PATH = process.env['PATH'] ?? '';

describe('a $ in the spec reaches the collector as written', () => {
  it('keeps exactly the traces carrying a listed value, not what the collector expands it to', async () => {
    const listed = ['a$$b', '${env:PATH}', '$$'];
    const unlisted = ['a$b', PATH, '$'];
    const { kept } = await keptByCollector(
      [{ name: 'tenants', kind: 'attribute', key: 'tenant', values: listed }],
      'tenant',
      [...listed, ...unlisted],
    );
    expect([...kept].sort()).toEqual([...listed].sort());
  }, 90_000);

  it('policies named p$ and p$$ are two policies the collector starts with, each keeping its own', async () => {
    const { kept } = await keptByCollector(
      [
        { name: 'p$', kind: 'attribute', key: 'tenant', values: ['gold'] },
        { name: 'p$$', kind: 'attribute', key: 'tenant', values: ['silver'] },
      ],
      'tenant',
      ['gold', 'silver', 'bronze'],
    );
    expect([...kept].sort()).toEqual(['gold', 'silver']);
  }, 90_000);
});
