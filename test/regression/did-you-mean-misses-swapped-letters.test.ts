// Regression: "did you mean" missed two swapped letters in a short name. Plain edit distance
// counts a swap as two edits, and a name of 3 to 5 characters may differ by one, so `levle`,
// `tpye`, `nmae` and `--chekc` got no suggestion. The distance is now optimal string alignment
// (Damerau): a swap of neighbours is one edit. Real parts: the CLI, a YAML spec on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../src/spec/suggest.js';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-swapped-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: did you mean misses swapped letters', () => {
  it('suggests the key for swapped letters in a spec', async () => {
    const spec = join(dir, 'telemetry.yaml');
    await writeFile(
      spec,
      'service:\n  nmae: shop\nevents:\n  order.placed:\n    levle: info\n    fields:\n      id: {tpye: string}\n',
    );
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('service.nmae: is not a known key here; did you mean "name"?');
    expect(result.stderr).toContain(
      'events["order.placed"].levle: is not a known key here; did you mean "level"?',
    );
    expect(result.stderr).toContain(
      'events["order.placed"].fields.id.tpye: is not a known key here; did you mean "type"?',
    );
  });

  it('suggests the flag for swapped letters', async () => {
    const result = await runCli(['generate', 'alerts', '--spec', 'x.json', '--chekc']);
    expect(result.stderr).toContain('unknown option --chekc (did you mean --check?)');
    expect(result.code).toBe(2);
  });

  it('a swap of neighbours is one edit; other changes cost what they did', () => {
    expect(editDistance('levle', 'level')).toBe(1);
    expect(editDistance('tpye', 'type')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    // Not neighbours, or two swaps: more than one edit, so no suggestion for a short name.
    expect(editDistance('pyte', 'type')).toBe(2);
    expect(editDistance('elvle', 'level')).toBe(2);
    expect(closestName('pyte', ['type'])).toBeUndefined();
    expect(closestName('elvle', ['level'])).toBeUndefined();
    // Levenshtein's answers where no neighbours swap.
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('abc', '')).toBe(3);
    // No absurd suggestions: a name far from every candidate gets none.
    expect(closestName('tag', ['type', 'unit', 'level', 'fields'])).toBeUndefined();
    expect(closestName('ful', ['level', 'fields', 'budget'])).toBeUndefined();
    expect(closestName('json', ['spec', 'out', 'check'])).toBeUndefined();
  });
});
