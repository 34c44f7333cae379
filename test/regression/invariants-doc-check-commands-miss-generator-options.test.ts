// Regression: the deploy section of docs/invariants.md prints the `plumbline generate ... --check`
// commands CI and the on-call run before a deploy, with the flags a target was generated with.
// It added only --runbook-base, --series-matcher and --doc-options: dashboards generated with
// other datasource URLs (dashboards.prometheusUrl/tempoUrl in the doc options) got a check
// command without them, which failed on provisioning/datasources/plumbline.yaml, and the
// collector options were not in the doc options at all (the doc listed the default files and
// printed the default command). The doc options now take `collector`; every collector and
// dashboards option has a CLI flag and the doc prints it. Here the artifacts are generated
// through the library with such options, and each printed command is run through the real CLI
// (its --out moved into the test's directory): each passes --check.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArtifactFiles } from '../../src/generate/artifact-files.js';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { CollectorOptions } from '../../src/generate/collector/options.js';
import type { DashboardOptions } from '../../src/generate/dashboards/options.js';
import { writeDashboards } from '../../src/generate/dashboards/render.js';
import { loadSpecFile } from '../../src/spec/load.js';
import { runCli } from '../support/cli.js';

const SPEC = `service:
  name: shop
events: {}
histograms:
  shop.request.duration:
    description: Time to answer a request.
    unit: s
    attributes: [outcome]
    buckets: { boundaries: [0.05, 0.1, 0.25, 0.5, 1] }
slos:
  fast:
    description: Requests answered within 250 ms.
    objective: 99
    sli: { kind: latency, histogram: shop.request.duration, threshold: 0.25 }
`;

const RUNBOOK_BASE = 'https://runbooks.example.com/shop/';
const DASHBOARDS: DashboardOptions = {
  prometheusUrl: 'http://prometheus.monitoring:9090',
  tempoUrl: 'http://tempo.monitoring:3200',
  dashboardsPath: '/srv/grafana/dashboards/shop',
  folder: "Shop's services",
  exemplarTraceIdLabel: 'traceID',
  traceLimit: 50,
};
const COLLECTOR: CollectorOptions = {
  gatewayCount: 3,
  spansPerTrace: 25,
  resolver: 'dns',
  tls: false,
  traceBackend: 'file',
  agentQueueSpans: 100_000,
  decisionWaitSeconds: 30,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-doc-commands-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A command line as a POSIX shell splits it: plain words and single-quoted parts ('\'' inside). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (char === '\\') {
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

async function generateAll(docOptions: Record<string, unknown>): Promise<string[]> {
  const specPath = join(dir, 'shop.yaml');
  await writeFile(specPath, SPEC);
  const optionsPath = join(dir, 'doc-options.ts');
  await writeFile(optionsPath, `export default ${JSON.stringify(docOptions, null, 2)};\n`);
  const spec = await loadSpecFile(specPath);
  await writeArtifactFiles(join(dir, 'collector'), generateCollectorConfigs(spec, COLLECTOR));
  await writeDashboards(spec, join(dir, 'dashboards'), DASHBOARDS);
  const alerts = await runCli([
    'generate',
    'alerts',
    '--spec',
    specPath,
    '--runbook-base',
    RUNBOOK_BASE,
    '--out',
    join(dir, 'alerts'),
  ]);
  expect(alerts.code, alerts.stderr).toBe(0);
  const docs = await runCli([
    'generate',
    'docs',
    '--spec',
    specPath,
    '--doc-options',
    optionsPath,
    '--out',
    join(dir, 'docs'),
  ]);
  expect(docs.code, docs.stderr).toBe(0);
  const doc = await readFile(join(dir, 'docs', 'invariants.md'), 'utf8');
  return doc
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npx plumbline generate '));
}

describe('regression: invariants doc check commands miss generator options', () => {
  it("each printed check passes on what the doc options' generators wrote", async () => {
    const commands = await generateAll({
      runbookBaseUrl: RUNBOOK_BASE,
      dashboards: DASHBOARDS,
      collector: COLLECTOR,
    });
    expect(commands.map((command) => shellWords(command)[3])).toEqual([
      'collector',
      'dashboards',
      'alerts',
      'docs',
    ]);
    for (const command of commands) {
      const args = shellWords(command).slice(2);
      const out = args.indexOf('--out');
      args[out + 1] = join(dir, args[out + 1]!);
      const result = await runCli(args);
      expect(result.stderr, command).toBe('');
      expect(result.code, command).toBe(0);
    }
  });
});
