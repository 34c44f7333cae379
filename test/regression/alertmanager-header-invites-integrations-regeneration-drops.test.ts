// Regression (rules review): the generated alertmanager.yml told the user "Add integrations to
// the receivers" of that very file, but every `plumbline generate alerts` run writes it anew from
// the spec: a PagerDuty or webhook integration added as told was dropped at the next run (1 -> 0
// integrations, without a word), and the page receiver then delivered nothing. The header (and
// docs/slo.md) now say that every run rewrites the file and that integrations go into your own
// configuration, with route, receivers and inhibit_rules merged in.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { peerBinary } from '../support/peers.js';

const exec = promisify(execFile);
const SPEC = 'examples/blueprint/telemetry.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-am-header-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Config {
  receivers: { name: string; webhook_configs?: unknown[] }[];
}

/** The comment lines at the top of the file. */
function header(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .join('\n');
}

describe('alertmanager.yml invited edits its next generation drops (regression)', () => {
  it('says every run rewrites it, which a receiver integration added to it shows', async () => {
    const out = join(dir, 'alerts');
    const generate = () => runCli(['generate', 'alerts', '--spec', SPEC, '--out', out]);
    expect(await generate()).toMatchObject({ code: 0 });
    const path = join(out, 'alertmanager.yml');
    const first = await readFile(path, 'utf8');
    await exec(peerBinary('amtool'), ['check-config', path]);

    // An integration added to the generated file's page receiver...
    const edited = parse(first) as Config;
    edited.receivers.find((receiver) => receiver.name === 'page')!.webhook_configs = [
      { url: 'http://pager.example/hook' },
    ];
    await writeFile(path, `${header(first)}\n${stringify(edited)}`);
    await exec(peerBinary('amtool'), ['check-config', path]);
    // ...is gone after the next run.
    expect(await generate()).toMatchObject({ code: 0 });
    const second = await readFile(path, 'utf8');
    expect((parse(second) as Config).receivers.every((r) => r.webhook_configs === undefined)).toBe(true);

    // So the file must not ask for integrations in it, and must say it is rewritten.
    for (const text of [first, second]) {
      expect(header(text)).not.toMatch(/Add integrations to the\s*#?\s*receivers/);
      expect(header(text)).toMatch(/Every run rewrites this\s*#?\s*file/);
      expect(header(text)).toMatch(/add your integrations there/);
    }
  }, 60_000);
});
