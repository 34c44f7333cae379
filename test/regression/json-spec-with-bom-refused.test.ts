// Regression: a JSON spec saved with a UTF-8 byte order mark (Windows editors, PowerShell's
// Out-File) was refused, "not valid JSON: Unexpected token '\uFEFF'", while the same file as YAML
// loaded. The mark is skipped now. Real parts: the CLI, spec files on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = { service: { name: 'shop' }, events: { 'order.placed': { level: 'info', fields: {} } } };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-bom-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: json spec with BOM refused', () => {
  it.each(['json', 'yaml'])('a .%s spec with a byte order mark loads like one without', async (extension) => {
    const plain = join(dir, `plain.${extension}`);
    const marked = join(dir, `marked.${extension}`);
    await writeFile(plain, JSON.stringify(SPEC));
    await writeFile(marked, `\uFEFF${JSON.stringify(SPEC)}`);
    const expected = await runCli(['schema', 'export', '--spec', plain]);
    expect(expected.code).toBe(0);
    const result = await runCli(['schema', 'export', '--spec', marked]);
    expect(result.stderr).toBe('');
    expect(result).toEqual(expected);
  });

  it('a byte order mark inside the text is still refused', async () => {
    const spec = join(dir, 'inner.json');
    await writeFile(spec, ` \uFEFF${JSON.stringify(SPEC)}`);
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${spec}: not valid JSON`);
  });
});
