// Regression: a YAML spec sharing fields through a merge key (`<<: *order_fields`, as CI configs
// and compose files write it) was refused with `["<<"]: is not a known key here` and a
// required-but-missing error for every key the merge brought: the parser read `<<` as a plain
// key. Merge keys are read as YAML 1.1 defines them now (the parser's `merge` option), and a
// merge key whose value is no map is refused by file and line. Real parts: the CLI, YAML specs on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-yaml-merge-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SPEC = `service:
  name: orders
events:
  order.placed:
    level: info
    fields: &order_fields
      order_id: { type: string }
      amount: { type: number }
  order.failed:
    level: error
    fields:
      <<: *order_fields
      amount: { type: number, required: false }
      reason: { type: string }
`;

describe('regression: yaml spec merge key refused', () => {
  it('merges the anchored map, keys written beside << winning', async () => {
    const spec = join(dir, 'merge.yaml');
    await writeFile(spec, SPEC);
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // order.failed's lines carry the merged order_id as a required field, its own optional
    // amount and its reason; order.placed's amount stays required.
    const defs = (
      JSON.parse(result.stdout) as {
        $defs: Record<string, { oneOf: { properties: object; required: string[] }[] }>;
      }
    ).$defs;
    const failed = defs['order.failed']!.oneOf[0]!;
    expect(Object.keys(failed.properties)).toEqual(expect.arrayContaining(['order_id', 'amount', 'reason']));
    expect(failed.required).toEqual(expect.arrayContaining(['order_id', 'reason']));
    expect(failed.required).not.toContain('amount');
    expect(defs['order.placed']!.oneOf[0]!.required).toEqual(expect.arrayContaining(['order_id', 'amount']));
  });

  it('refuses a merge key whose value is no map, by file and line', async () => {
    const spec = join(dir, 'bad.yaml');
    await writeFile(spec, SPEC.replace('<<: *order_fields', '<<: order_fields'));
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${spec}:12:7: the merge key << takes a map`);
    expect(result.stdout).toBe('');
  });
});
