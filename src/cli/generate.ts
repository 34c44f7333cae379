// `plumbline generate <target> --spec FILE [--out DIR] [--check]`: writes a target's generated
// files, or with --check compares them with the committed ones and fails on drift (CI).
import { loadSpecFile } from '../spec/load.js';
import type { TelemetrySpec } from '../spec/types.js';
import { generateCollectorConfigs } from '../generate/collector/generate.js';
import type { CollectorOptions } from '../generate/collector/options.js';
import { checkArtifactFiles, writeArtifactFiles } from '../generate/artifact-files.js';
import { renderDashboards } from '../generate/dashboards/render.js';
import { PIPELINE_RULES_FILE, renderPipelineAlerts } from '../generate/rules/pipeline-alerts.js';
import { generatePrometheusRules, ruleFileName } from '../generate/rules/prometheus-rules.js';
import { generatePromtoolTests, promtoolTestFileName } from '../generate/rules/promtool-tests.js';
import { ALERTMANAGER_FILE, renderAlertmanagerConfig } from '../generate/rules/alertmanager.js';
import { renderInvariantsDoc } from '../generate/invariants/doc.js';
import { INVARIANTS_DOC_FILE } from '../generate/invariants/options.js';
import type { CliCommand } from './main.js';

/** Flags after the target name: `--name value` pairs and bare `--switch`es. */
type Flags = ReadonlyMap<string, string | true>;

interface GenerateTarget {
  readonly summary: string;
  /** Where files go when --out is not given, relative to the working directory. */
  readonly defaultOut: string;
  /** Flags this target understands besides --spec, --out and --check. */
  readonly flags: readonly string[];
  generate(spec: TelemetrySpec, flags: Flags): Readonly<Record<string, string>>;
}

/** One entry per generated artifact family; each maps the spec to file name → text. */
const TARGETS: Readonly<Record<string, GenerateTarget>> = {
  collector: {
    summary:
      'collector/agent.yaml, gateway.yaml, single.yaml [--gateways N] [--spans-per-trace N] [--resolver static|dns] [--no-tls (overrides spec collector.tls)] [--trace-backend otlp|file]',
    defaultOut: 'collector',
    flags: ['--gateways', '--spans-per-trace', '--resolver', '--no-tls', '--trace-backend'],
    generate: (spec, flags) => generateCollectorConfigs(spec, collectorOptions(flags)),
  },
  dashboards: {
    summary: 'dashboards/*.json, dashboards/provisioning/ (Grafana, from the spec)',
    defaultOut: 'dashboards',
    flags: [],
    generate: (spec) => Object.fromEntries(renderDashboards(spec)),
  },
  alerts: {
    summary: 'alerts/<service>-slo.rules.yaml + its promtool tests, pipeline.rules.yaml, alertmanager.yml',
    defaultOut: 'alerts',
    flags: [],
    generate: (spec) => ({
      [ruleFileName(spec)]: generatePrometheusRules(spec),
      [promtoolTestFileName(spec)]: generatePromtoolTests(spec),
      [PIPELINE_RULES_FILE]: renderPipelineAlerts(),
      [ALERTMANAGER_FILE]: renderAlertmanagerConfig(spec),
    }),
  },
  docs: {
    summary: 'docs/invariants.md: invariants, their monitors, deploy and roll back',
    defaultOut: 'docs',
    flags: [],
    generate: (spec) => ({ [INVARIANTS_DOC_FILE]: renderInvariantsDoc(spec) }),
  },
};

const COMMON_FLAGS = ['--spec', '--out', '--check'];
const SWITCHES = new Set(['--check', '--no-tls']);

function usage(): string {
  return `usage: plumbline generate <target> --spec FILE [--out DIR] [--check]\n${Object.entries(TARGETS)
    .map(([name, target]) => `  ${name.padEnd(10)} ${target.summary}\n`)
    .join('')}`;
}

export const generateCommand: CliCommand = async (args, io) => {
  const [targetName, ...rest] = args;
  const target = targetName === undefined ? undefined : TARGETS[targetName];
  if (target === undefined) {
    io.stderr(
      targetName === undefined || targetName === '--help'
        ? usage()
        : `unknown target "${targetName}"\n${usage()}`,
    );
    return targetName === undefined || targetName === '--help' ? 0 : 2;
  }
  const flags = parseFlags(rest, new Set([...COMMON_FLAGS, ...target.flags]));
  const specPath = flags.get('--spec');
  if (typeof specPath !== 'string') throw new Error('--spec FILE is required');
  const out = flags.get('--out');
  const outDir = typeof out === 'string' ? out : target.defaultOut;
  const files = target.generate(await loadSpecFile(specPath), flags);
  if (flags.get('--check') === true) {
    const drift = await checkArtifactFiles(outDir, files);
    if (drift.length === 0) {
      io.stdout(`${targetName}: ${Object.keys(files).length} files in ${outDir} match the spec\n`);
      return 0;
    }
    io.stderr(
      `${targetName}: generated files differ from ${outDir} (run \`plumbline generate ${targetName} --spec ${specPath} --out ${outDir}\`):\n` +
        drift.map((entry) => `  ${entry.file}: ${entry.reason}\n`).join(''),
    );
    return 1;
  }
  for (const path of await writeArtifactFiles(outDir, files)) io.stdout(`wrote ${path}\n`);
  return 0;
};

function parseFlags(args: readonly string[], known: ReadonlySet<string>): Flags {
  const flags = new Map<string, string | true>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (!known.has(arg)) throw new Error(`unknown option "${arg}"`);
    if (SWITCHES.has(arg)) {
      flags.set(arg, true);
      continue;
    }
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    flags.set(arg, value);
    index += 1;
  }
  return flags;
}

function collectorOptions(flags: Flags): CollectorOptions {
  const number = (name: string): number | undefined => {
    const value = flags.get(name);
    if (typeof value !== 'string') return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`${name}: expected a number, got "${value}"`);
    return parsed;
  };
  return {
    gatewayCount: number('--gateways'),
    spansPerTrace: number('--spans-per-trace'),
    resolver: flags.get('--resolver') as CollectorOptions['resolver'],
    tls: flags.get('--no-tls') === true ? false : undefined,
    traceBackend: flags.get('--trace-backend') as CollectorOptions['traceBackend'],
  };
}
