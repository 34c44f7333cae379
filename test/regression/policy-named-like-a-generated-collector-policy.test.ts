// Regression: the collector generator wrote tail_sampling policies of one name when a spec policy
// was named like one it adds (`dry-run`, first under `dryRun: true`) or like a sub-policy it
// generates (an errors policy `e` makes `e:http.status_code`), and the collector refuses such a
// config at start: the real otelcol-plumbline v0.161.0 exited 1 with `duplicate policy name
// "dry-run"` on the generated single.yaml (no gateway would start). The generator now refuses the
// spec, naming the policy to rename.
import { describe, expect, it } from 'vitest';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { SpecError } from '../../src/spec/errors.js';
import type { SamplingSpec } from '../../src/spec/types.js';

function generatorIssues(sampling: SamplingSpec): string[] {
  try {
    generateCollectorConfigs({ service: { name: 'shop' }, events: {}, sampling }, { traceBackend: 'file' });
  } catch (error) {
    if (error instanceof SpecError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('regression: policy named like a generated collector policy', () => {
  it('refuses a policy named dry-run under dryRun, naming it', () => {
    expect(generatorIssues({ dryRun: true, policies: [{ name: 'dry-run', kind: 'errors' }] })).toEqual([
      expect.stringMatching(
        /^sampling\.policies\[0\]\.name: makes the collector's tail_sampling policy "dry-run", which a policy the generator adds makes too/,
      ),
    ]);
    // Without dryRun the name is free.
    expect(generatorIssues({ policies: [{ name: 'dry-run', kind: 'errors' }] })).toEqual([]);
  });

  it("refuses a policy named like another policy's generated sub-policy", () => {
    expect(
      generatorIssues({
        policies: [
          { name: 'e', kind: 'errors' },
          { name: 'e:http.status_code', kind: 'attribute', key: 'tier', values: ['gold'] },
        ],
      }),
    ).toEqual([
      expect.stringMatching(
        /^sampling\.policies\[1\]\.name: makes the collector's tail_sampling policy "e:http\.status_code", which sampling\.policies\[0\] makes too/,
      ),
    ]);
  });
});
