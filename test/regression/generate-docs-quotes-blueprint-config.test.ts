// Regression: `plumbline generate docs` on any spec quoted the blueprint's facts as if they were
// the service's: its config path (examples/blueprint/blueprint.toml), a start command with
// BLUEPRINT_TOKEN_* variables, its drain and /healthz behaviour, its chaos profiles and, for a
// latency SLO, its enrichment budget, batch wait and deadline. Now those come only from
// --doc-options (the blueprint's are examples/blueprint/invariants-doc.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderInvariantsDoc } from '../../src/generate/index.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';

const ORDERS = 'test/fixtures/orders-spec-module.ts';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-docs-neutral-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function generateDocs(...extra: string[]): Promise<{ code: number; stderr: string; doc: string }> {
  const out = await mkdtemp(join(dir, 'out-'));
  let stderr = '';
  const code = await main(['generate', 'docs', '--spec', ORDERS, ...extra, '--out', out], {
    stdout: () => {},
    stderr: (text) => (stderr += text),
  });
  const doc = code === 0 ? await readFile(join(out, 'invariants.md'), 'utf8') : '';
  return { code, stderr, doc };
}

describe('regression: generate docs quotes blueprint config', () => {
  it('a spec that is not the blueprint gets none of the blueprint facts', async () => {
    const { code, stderr, doc } = await generateDocs();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const blueprintFact of [
      'examples/blueprint',
      'BLUEPRINT_',
      '/healthz',
      '127.0.0.1:9464',
      'Chaos profiles',
      'enrichment is capped',
      'The store is not rolled back',
    ]) {
      expect(doc, blueprintFact).not.toContain(blueprintFact);
    }
    // plumbline's own switches are the service's too.
    expect(doc).toContain('`PLUMBLINE_TAIL_SAMPLING`');
    expect(doc).toContain('`OTEL_METRICS_EXEMPLAR_FILTER`');
    expect(doc).toContain('5. **The service**, one instance at a time: stop the old one, start the new one');
  });

  it("a latency SLO's first steps send the on-call to the exemplar without quoting bounds", () => {
    const doc = renderInvariantsDoc(dashboardSpec);
    expect(doc).toContain('## SLO latency: 99% over 28d');
    expect(doc).toContain('its trace shows the stage that took the time.');
    expect(doc).not.toContain('enrichment is capped');
    expect(doc).not.toContain('examples/blueprint');
  });

  it("--doc-options brings a service's own facts, and the doc's check command carries the flag", async () => {
    const options = join(dir, 'orders-doc.mjs');
    await writeFile(
      options,
      `export default {
        configPath: 'deploy/orders.yaml',
        startCommand: 'node dist/orders.js deploy/orders.yaml',
        replaceInstance: 'drain it with SIGTERM, start the new one, wait for GET /ready',
        rollbackNote: 'Schema migrations are not rolled back.',
      };\n`,
    );
    const { code, stderr, doc } = await generateDocs('--doc-options', options);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(doc).toContain('the service and its config (`deploy/orders.yaml`)');
    expect(doc).toContain('   node dist/orders.js deploy/orders.yaml');
    expect(doc).toContain(
      'one instance at a time: drain it with SIGTERM, start the new one, wait for GET /ready:',
    );
    expect(doc).toContain('Schema migrations are not rolled back.');
    expect(doc).toContain(
      `npx plumbline generate docs --spec ${ORDERS} --doc-options ${options} --out docs --check`,
    );
  });

  it('refuses --doc-options that is not a module exporting an options object, naming the flag', async () => {
    const json = join(dir, 'options.json');
    await writeFile(json, '{}');
    const notModule = await generateDocs('--doc-options', json);
    expect(notModule.code).toBe(2);
    expect(notModule.stderr).toContain(`--doc-options ${json}: expected a .ts or .js module`);
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export const other = 1;\n');
    const noExport = await generateDocs('--doc-options', empty);
    expect(noExport.code).toBe(2);
    expect(noExport.stderr).toContain(`--doc-options ${empty}: exports no options object`);
  });
});
