// Regression: `plumbline generate docs` failed for every spec but the blueprint's, with
// 'delivery.decisionsCounter: "blueprint.ingress.decisions" is not a counter of the spec (pass
// false ...)', and the CLI had no way to pass false. Since then a doc without --doc-options has no
// service invariants at all (regression test generate-docs-quotes-blueprint-config).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

describe('generate docs on a spec without the blueprint instruments', () => {
  it('writes the doc, without the blueprint instruments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-docs-regression-'));
    try {
      let stderr = '';
      const code = await main(
        ['generate', 'docs', '--spec', 'test/fixtures/orders-spec-module.ts', '--out', dir],
        { stdout: () => {}, stderr: (text) => (stderr += text) },
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const doc = await readFile(join(dir, 'invariants.md'), 'utf8');
      expect(doc).not.toContain('blueprint.ingress.decisions');
      expect(doc).not.toContain('is not a counter of the spec');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
