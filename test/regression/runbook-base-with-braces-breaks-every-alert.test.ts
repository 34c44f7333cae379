// Regression (rules review): --runbook-base (runbookBaseUrl) was checked to be an http(s) URL
// ending in "/" and then written at the start of every alert's runbook_url, which Prometheus
// expands as a Go template. `https://wiki.example/{{x}}/` was accepted and `promtool check
// rules` failed on every alert of the SLO and pipeline rule files (49 errors for the blueprint:
// function "x" not defined). A base holding "{{" is now refused naming the option, exit 1 and
// nothing written, as a base that is no URL is; a plain one still passes promtool.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPipelineAlerts, generatePrometheusRules } from '../../src/generate/rules/index.js';
import { runCli } from '../support/cli.js';
import { peerBinary } from '../support/peers.js';

const exec = promisify(execFile);
const SPEC = 'examples/blueprint/telemetry.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-runbook-braces-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a runbook base with {{ broke every alert (regression)', () => {
  it('generate alerts refuses it naming the option, and writes nothing', async () => {
    const out = join(dir, 'braces');
    const result = await runCli([
      'generate',
      'alerts',
      '--spec',
      SPEC,
      '--out',
      out,
      '--runbook-base',
      'https://wiki.example/{{x}}/',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/runbookBaseUrl: may not hold "\{\{"/);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('the generators refuse it too', () => {
    const runbookBaseUrl = 'https://wiki.example/{{$labels.service}}/';
    expect(() => renderPipelineAlerts({ runbookBaseUrl })).toThrow(/runbookBaseUrl: may not hold "\{\{"/);
    const spec = {
      service: { name: 'shop' },
      events: {},
      counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
      slos: {
        orders: {
          description: 'Orders succeed',
          objective: 99.9,
          sli: { kind: 'availability' as const, metric: 'shop.requests', bad: { outcome: ['error'] } },
        },
      },
    };
    expect(() => generatePrometheusRules(spec, { runbookBaseUrl })).toThrow(
      /runbookBaseUrl: may not hold "\{\{"/,
    );
  });

  it('a plain base still makes rules promtool accepts', async () => {
    const out = join(dir, 'plain');
    const result = await runCli([
      'generate',
      'alerts',
      '--spec',
      SPEC,
      '--out',
      out,
      '--runbook-base',
      'https://wiki.example/runbooks/',
    ]);
    expect(result.code).toBe(0);
    await exec(peerBinary('promtool'), [
      'check',
      'rules',
      join(out, 'blueprint-slo.rules.yaml'),
      join(out, 'pipeline.rules.yaml'),
    ]);
  }, 60_000);
});
