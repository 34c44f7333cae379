// Regression: a JSON spec's repeated key kept its last value without a word (JSON.parse's rule),
// where a YAML spec refuses it: `"service": {"name": "orders", ..., "name": "payments"}` named
// every generated file after payments, and a second "order.placed" event replaced the first.
// A repeated key is refused now, by file, line, column and key, and nothing is written. Real
// parts: the CLI, JSON specs on disk.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-json-duplicate-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const SPEC = `{
  "service": { "name": "orders", "version": "1.0.0" },
  "events": {
    "order.placed": { "level": "info", "fields": { "order_id": { "type": "string" } } },
    "order.failed": { "level": "error", "fields": { "reason": { "type": "string" } } }
  }
}
`;

describe('regression: json spec duplicate key last one wins', () => {
  it('refuses a repeated key by file, line and key, and writes nothing', async () => {
    const spec = join(dir, 'service.json');
    await writeFile(spec, SPEC.replace('"version": "1.0.0"', '"version": "1.0.0", "name": "payments"'));
    const out = join(dir, 'alerts');
    const result = await runCli(['generate', 'alerts', '--spec', spec, '--out', out]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toContain(`${spec}:2:54: key "name" repeats a key of the same object`);
    expect(result.stdout).toBe('');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('names every repeat, escaped spellings of one key included', async () => {
    const spec = join(dir, 'events.json');
    await writeFile(
      spec,
      SPEC.replace('"order.failed": { "level": "error"', '"order.pl\\u0061ced": { "level": "error"').replace(
        '"type": "string" } } }',
        '"type": "string" } }, "level": "warn" }',
      ),
    );
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${spec}:4:88: key "level" repeats a key of the same object`);
    expect(result.stderr).toContain(`${spec}:5:5: key "order.pl\\u0061ced" repeats a key of the same object`);
  });

  it('still loads a JSON spec whose keys repeat only across objects', async () => {
    const spec = join(dir, 'plain.json');
    await writeFile(spec, SPEC);
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'orders event log lines' });
  });
});
