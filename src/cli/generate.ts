// `plumbline generate <target> --spec FILE [--out DIR] [--check]`: writes a target's generated
// files, or with --check compares them with the committed ones and fails on drift (CI).
// `plumbline slo rules` is an alias of `generate alerts`.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { importModuleExport, isModuleFile, loadSpecFile } from '../spec/load.js';
import { didYouMean } from '../spec/suggest.js';
import type { TelemetrySpec } from '../spec/types.js';
import { generateCollectorConfigs } from '../generate/collector/generate.js';
import {
  agentBatch,
  MAX_DECISION_WAIT_SECONDS,
  type CollectorOptions,
} from '../generate/collector/options.js';
import { checkArtifactFiles, writeArtifactFiles, type ArtifactDrift } from '../generate/artifact-files.js';
import { resolveDashboardOptions, type DashboardOptions } from '../generate/dashboards/options.js';
import { renderDashboards } from '../generate/dashboards/render.js';
import { sharedDashboardFiles } from '../generate/dashboards/shared-files.js';
import { PIPELINE_RULES_FILE, renderPipelineAlerts } from '../generate/rules/pipeline-alerts.js';
import { generatePrometheusRules, ruleFileName } from '../generate/rules/prometheus-rules.js';
import { generatePromtoolFiles, promtoolDir } from '../generate/rules/promtool-tests.js';
import { ALERTMANAGER_FILE, renderAlertmanagerConfig } from '../generate/rules/alertmanager.js';
import { renderInvariantsDoc } from '../generate/invariants/doc.js';
import { shellWord } from '../generate/invariants/deploy.js';
import { INVARIANTS_DOC_FILE, type InvariantsDocOptions } from '../generate/invariants/options.js';
import {
  HelpRequested,
  UsageError,
  unknownName,
  optionalFlag,
  parseArgs,
  requireFlag,
  seriesMatchersFlag,
  usageBlock,
  type FlagKinds,
} from './args.js';
import type { CliCommand } from './main.js';
import { sharedAlertsFiles } from './shared-files.js';

/** Flags after the target name, by name without the dashes. */
type Flags = ReadonlyMap<string, string | true>;

/** A target's output: file name → text. */
type Files = Readonly<Record<string, string>>;

interface GenerateTarget {
  readonly summary: string;
  /** Where files go when --out is not given, relative to the working directory. */
  readonly defaultOut: string;
  /** Flags this target understands besides --spec, --out and --check. */
  readonly flags: FlagKinds;
  generate(spec: TelemetrySpec, flags: Flags): Files | Promise<Files>;
  /** Refuses bad values of this target's flags (a UsageError), before the spec is loaded. */
  checkFlags?(flags: Flags): void;
  /**
   * Files in the output directory this target wrote once and no longer writes (a removed SLO's
   * promtool files): --check counts them as drift, a write removes them.
   */
  stale?(spec: TelemetrySpec, outDir: string, files: Files): Promise<string[]>;
  /**
   * The files with those the output directory holds once for every service in it (shared-files.ts)
   * merged with what the other services wrote there; written and --checked as merged.
   */
  shared?(spec: TelemetrySpec, outDir: string, files: Files): Promise<Files>;
}

/** The invariants doc options a .ts/.js module exports (default export, or `invariantsDoc`). */
async function loadDocOptions(path: string): Promise<InvariantsDocOptions> {
  if (!isModuleFile(path))
    throw new UsageError(`--doc-options ${path}: expected a .ts or .js module`, usage());
  // Regression: spec-path-missing-named-by-plumbline-internals.
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => error.code);
  if (found === 'ENOENT' || found === 'ENOTDIR')
    throw new UsageError(`--doc-options ${path}: no such file`, usage());
  const options = await importModuleExport(path, 'invariantsDoc');
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new UsageError(
      `--doc-options ${path}: exports no options object (expected a default export or \`invariantsDoc\`)`,
      usage(),
    );
  return options as InvariantsDocOptions;
}

/**
 * A file path as the doc's commands spell it, whatever spelling --spec and --doc-options were
 * given: relative to the working directory (where the doc's commands run, as their `--out docs`
 * says), normalized, with forward slashes; a file outside it by its absolute path. The doc was
 * other text for `./examples/...` or an absolute path, so its own --check failed (regression:
 * generate-docs-depends-on-spec-spelling).
 */
export function commandPath(path: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, path);
  const fromCwd = relative(cwd, absolute);
  const inside =
    fromCwd !== '' && fromCwd !== '..' && !fromCwd.startsWith(`..${sep}`) && !isAbsolute(fromCwd);
  return (inside ? fromCwd : absolute).split(sep).join('/');
}

/** --series-matcher, parsed (alerts and docs). */
function seriesMatchersOf(flags: Flags): Readonly<Record<string, readonly string[]>> | undefined {
  const matcher = flags.get('series-matcher');
  return seriesMatchersFlag(typeof matcher === 'string' ? matcher : undefined, usage());
}

/** Where runbook links point: --runbook-base URL, else the doc `generate docs` writes (relative). */
type RunbookBase = { runbookBaseUrl?: string };

/** A target whose output links to runbooks (alerts, the doc itself): takes --runbook-base alike. */
function runbookTarget(
  summary: string,
  defaultOut: string,
  generate: (spec: TelemetrySpec, runbook: RunbookBase, flags: Flags) => Files | Promise<Files>,
  flags: FlagKinds = {},
): GenerateTarget {
  return {
    summary,
    defaultOut,
    flags: { 'runbook-base': 'value', ...flags },
    generate: (spec, flags) => {
      const base = flags.get('runbook-base');
      return generate(spec, typeof base === 'string' ? { runbookBaseUrl: base } : {}, flags);
    },
  };
}

/** One entry per generated artifact family; each maps the spec to file name → text. */
const TARGETS: Readonly<Record<string, GenerateTarget>> = {
  collector: {
    summary:
      'collector/agent.yaml, gateway.yaml, single.yaml, builder-config.yaml (the distribution they need) [--gateways N] [--spans-per-trace N] [--resolver static|dns] [--no-tls | --tls (override spec collector.tls)] [--trace-backend otlp|file] [--agent-queue-spans N] [--decision-wait-seconds N]',
    defaultOut: 'collector',
    flags: {
      gateways: 'value',
      'spans-per-trace': 'value',
      resolver: 'value',
      'no-tls': 'switch',
      tls: 'switch',
      'trace-backend': 'value',
      'agent-queue-spans': 'value',
      'decision-wait-seconds': 'value',
    },
    generate: (spec, flags) => generateCollectorConfigs(spec, collectorOptions(flags)),
    checkFlags: (flags) => void collectorOptions(flags),
  },
  dashboards: {
    summary:
      'dashboards/*.json, dashboards/provisioning/ (Grafana, from the spec) [--prometheus-url URL] [--tempo-url URL] (the provisioned datasources; default http://localhost:9090, http://localhost:3200) [--dashboards-path DIR] [--folder NAME] [--exemplar-trace-id-label NAME] [--trace-limit N]',
    defaultOut: 'dashboards',
    flags: {
      'prometheus-url': 'value',
      'tempo-url': 'value',
      'dashboards-path': 'value',
      folder: 'value',
      'exemplar-trace-id-label': 'value',
      'trace-limit': 'value',
    },
    generate: (spec, flags) => Object.fromEntries(renderDashboards(spec, dashboardOptions(flags))),
    checkFlags: (flags) => void dashboardOptions(flags),
    shared: (_spec, outDir, files) => sharedDashboardFiles(outDir, files),
  },
  alerts: {
    ...runbookTarget(
      'alerts/<service>-slo.rules.yaml, its promtool tests per SLO in alerts/promtool/<service>-slo/ (<slo>.test.yaml on <slo>.rules.yaml, a copy of its group), pipeline.rules.yaml, alertmanager.yml [--runbook-base URL] [--series-matcher LABEL=VALUE[,...]]',
      'alerts',
      (spec, runbook, flags) => {
        const seriesMatchers = seriesMatchersOf(flags);
        const options = seriesMatchers === undefined ? runbook : { ...runbook, seriesMatchers };
        return {
          [ruleFileName(spec)]: generatePrometheusRules(spec, options),
          ...generatePromtoolFiles(spec, options),
          [PIPELINE_RULES_FILE]: renderPipelineAlerts(runbook),
          [ALERTMANAGER_FILE]: renderAlertmanagerConfig(spec),
        };
      },
      { 'series-matcher': 'value' },
    ),
    stale: stalePromtoolFiles,
    shared: sharedAlertsFiles,
  },
  docs: runbookTarget(
    "docs/invariants.md: invariants, their monitors, deploy and roll back [--runbook-base URL] (the same base as alerts) [--doc-options FILE] (the service's config path, start command, bounds: a .ts/.js module, default export) [--series-matcher LABEL=VALUE[,...]] (the same as alerts)",
    'docs',
    async (spec, runbook, flags) => {
      const optionsPath = flags.get('doc-options');
      const options = typeof optionsPath === 'string' ? await loadDocOptions(optionsPath) : {};
      const seriesMatchers = seriesMatchersOf(flags);
      return {
        [INVARIANTS_DOC_FILE]: renderInvariantsDoc(spec, {
          ...options,
          ...runbook,
          // The rules the doc quotes, and its drift checks, are the ones `generate alerts` made.
          ...(seriesMatchers === undefined
            ? {}
            : { prometheusRules: { ...options.prometheusRules, seriesMatchers } }),
          // The doc's deploy commands and header name the files it was generated from.
          specPath: commandPath(flags.get('spec') as string),
          ...(typeof optionsPath === 'string' ? { docOptionsPath: commandPath(optionsPath) } : {}),
        }),
      };
    },
    { 'doc-options': 'value', 'series-matcher': 'value' },
  ),
};

const COMMON_FLAGS: FlagKinds = { spec: 'value', out: 'value', check: 'switch' };

function usage(): string {
  return usageBlock(
    'usage: plumbline generate <target> --spec FILE [--out DIR] [--check]',
    TARGETS,
    '  --check fails (exit 1) when the files in --out differ from what the spec generates\n' +
      '  --series-matcher job=shop[,LABEL=V1|V2]: alerts and docs; label matchers put on every SLI\n' +
      '                      series, so the SLO rules read this service alone (without it, every\n' +
      '                      series of the metric name in Prometheus); give docs the same as alerts\n' +
      '  --runbook-base URL: runbook_url = URL + docs/invariants.md#anchor; without it the links are\n' +
      '                      relative (docs/invariants.md#anchor), to the doc `generate docs` writes\n' +
      '  --doc-options FILE: docs only; the service facts the doc quotes (config path, start command,\n' +
      '                      how an instance is replaced, bounds, feature flags); without it the doc\n' +
      '                      says only what the spec and plumbline know\n',
  );
}

function targetUsage(name: string, target: GenerateTarget): string {
  const own = Object.entries(target.flags).map(([flag, kind]) =>
    kind === 'switch' ? ` [--${flag}]` : ` [--${flag} V]`,
  );
  return `usage: plumbline generate ${name} --spec FILE [--out DIR] [--check]${own.join('')}\n  ${target.summary}\n`;
}

export const generateCommand: CliCommand = async (args, io) => {
  const [targetName, ...rest] = args;
  if (targetName === '--help' || targetName === '-h') throw new HelpRequested(usage());
  const target = targetName === undefined ? undefined : TARGETS[targetName];
  if (targetName === undefined || target === undefined)
    throw new UsageError(unknownName('target', targetName, Object.keys(TARGETS)), usage());
  const parsed = parseArgs(rest, { ...COMMON_FLAGS, ...target.flags }, targetUsage(targetName, target));
  const flags = parsed.flags;
  const specPath = requireFlag(parsed, 'spec');
  const outDir = optionalFlag(parsed, 'out') ?? target.defaultOut;
  target.checkFlags?.(flags);
  const spec = await loadSpecFile(specPath);
  const generated = await target.generate(spec, flags);
  const files = (await target.shared?.(spec, outDir, generated)) ?? generated;
  const stale = (await target.stale?.(spec, outDir, files)) ?? [];
  if (flags.get('check') === true) {
    const drift = await checkArtifactFiles(outDir, files);
    if (drift.length === 0 && stale.length === 0) {
      io.stdout(`${targetName}: ${Object.keys(files).length} files in ${outDir} match the spec\n`);
      return 0;
    }
    // The same flags regenerate the same files (an SRE trial's message dropped --series-matcher).
    const rerun = ['plumbline', 'generate', targetName, ...rest.filter((arg) => arg !== '--check')]
      .map(shellWord)
      .join(' ');
    io.stderr(
      `${targetName}: generated files differ from ${outDir} (run \`${rerun}\`):\n` +
        drift.map((entry) => `  ${entry.file}: ${entry.reason}${whereItDiffers(entry)}\n`).join('') +
        stale.map((file) => `  ${file}: no longer generated (regenerating removes it)\n`).join('') +
        otherOptionsHint(drift),
    );
    return 1;
  }
  for (const path of await writeArtifactFiles(outDir, files)) io.stdout(`wrote ${path}\n`);
  for (const file of stale) {
    await rm(join(outDir, file));
    io.stdout(`removed ${join(outDir, file)} (no longer generated)\n`);
  }
  return 0;
};

/**
 * plumbline's promtool files in the alerts output that this spec no longer makes: those of a
 * removed or renamed SLO, which `promtool test rules promtool/<service>-slo/*.test.yaml` would
 * still run, and `<service>-slo.test.yaml`, the single test file of every SLO that the per-SLO
 * files replaced (its promtool run grew with SLOs x rules). Only files that say they were
 * generated by plumbline are counted, so nothing a person wrote is removed.
 */
async function stalePromtoolFiles(spec: TelemetrySpec, outDir: string, files: Files): Promise<string[]> {
  const dir = promtoolDir(spec);
  const inDir = await readdir(join(outDir, dir)).catch(() => [] as string[]);
  const candidates = [
    `${spec.service.name}-slo.test.yaml`,
    ...inDir.filter((name) => /\.(rules|test)\.yaml$/.test(name)).map((name) => `${dir}/${name}`),
  ];
  const stale: string[] = [];
  for (const file of candidates) {
    if (file in files) continue;
    const text = await readFile(join(outDir, file), 'utf8').catch(() => '');
    if (text.startsWith('# Generated by plumbline')) stale.push(file);
  }
  return stale;
}

/**
 * The collector flags, checked as flags: bad usage (exit 2) naming the flag, with the nearest
 * value for a misspelt choice. They were passed on unchecked and refused as an "invalid telemetry
 * spec" (options.gatewayCount, exit 1), and Number() read " " as 0 and 0x10 as 16 (regression:
 * collector-flags-reported-as-invalid-spec).
 */
function collectorOptions(flags: Flags): CollectorOptions {
  const usage = targetUsage('collector', TARGETS.collector!);
  const text = (name: string): string | undefined => {
    const value = flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const number = (name: string, integer: boolean): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const parsed = (integer ? /^[0-9]+$/ : /^[0-9]+(\.[0-9]+)?$/).test(value) ? Number(value) : Number.NaN;
    if (!(parsed >= 1) || (integer && !Number.isSafeInteger(parsed)))
      throw new UsageError(
        `--${name}: expected ${integer ? 'a decimal integer >= 1' : 'a decimal number >= 1 (such as 10 or 2.5)'}, got ${JSON.stringify(value)}`,
        usage,
      );
    return parsed;
  };
  const choice = <T extends string>(name: string, choices: readonly T[]): T | undefined => {
    const value = text(name);
    if (value === undefined || (choices as readonly string[]).includes(value)) return value as T | undefined;
    throw new UsageError(
      `--${name}: expected ${choices.map((c) => JSON.stringify(c)).join(' or ')}, got ${JSON.stringify(value)}${didYouMean(value, choices)}`,
      usage,
    );
  };
  if (flags.get('no-tls') === true && flags.get('tls') === true)
    throw new UsageError('--tls and --no-tls: give one of them', usage);
  const agentQueueSpans = number('agent-queue-spans', true);
  if (agentQueueSpans !== undefined && agentQueueSpans < agentBatch.send_batch_max_size)
    throw new UsageError(
      `--agent-queue-spans: expected at least ${agentBatch.send_batch_max_size} (the agent batch's send_batch_max_size: a batch larger than the queue is refused whole), got ${agentQueueSpans}`,
      usage,
    );
  const decisionWaitSeconds = number('decision-wait-seconds', true);
  if (decisionWaitSeconds !== undefined && decisionWaitSeconds > MAX_DECISION_WAIT_SECONDS)
    throw new UsageError(
      `--decision-wait-seconds: expected at most ${MAX_DECISION_WAIT_SECONDS} (the collector's longest duration), got ${decisionWaitSeconds}`,
      usage,
    );
  return {
    gatewayCount: number('gateways', true),
    spansPerTrace: number('spans-per-trace', false),
    resolver: choice('resolver', ['static', 'dns'] as const),
    tls: flags.get('no-tls') === true ? false : flags.get('tls') === true ? true : undefined,
    traceBackend: choice('trace-backend', ['otlp', 'file'] as const),
    agentQueueSpans,
    decisionWaitSeconds,
  };
}

/**
 * The dashboards flags, one per DashboardOptions field, so every set of options has a command
 * that regenerates (and --checks) its files: the invariants doc prints it. A bad value is bad
 * usage naming the flag.
 */
function dashboardOptions(flags: Flags): DashboardOptions {
  const usage = targetUsage('dashboards', TARGETS.dashboards!);
  const fields = {
    prometheusUrl: 'prometheus-url',
    tempoUrl: 'tempo-url',
    dashboardsPath: 'dashboards-path',
    folder: 'folder',
    exemplarTraceIdLabel: 'exemplar-trace-id-label',
    traceLimit: 'trace-limit',
  } as const;
  const options: { -readonly [K in keyof DashboardOptions]: DashboardOptions[K] } = {};
  for (const [field, flag] of Object.entries(fields) as [keyof typeof fields, string][]) {
    const value = flags.get(flag);
    if (typeof value !== 'string') continue;
    if (field !== 'traceLimit') options[field] = value;
    else if (/^[0-9]+$/.test(value)) options.traceLimit = Number(value);
    else
      throw new UsageError(
        `--${flag}: expected a decimal integer from 1 to 1000, got ${JSON.stringify(value)}`,
        usage,
      );
  }
  try {
    resolveDashboardOptions(options);
  } catch (error) {
    const message = (error as Error).message.replace(
      /^dashboards option (\w+):/,
      (_all, field: keyof typeof fields) => `--${fields[field]} (dashboards option ${field}):`,
    );
    throw new UsageError(message, usage);
  }
  return options;
}

/**
 * When a file's first difference is its `# Options:` header, the committed files were made with
 * other generation flags than this check was given (an SRE's trial generated with
 * `--trace-backend file` and checked without it): say so, rather than only suggest regenerating.
 */
function otherOptionsHint(drift: readonly ArtifactDrift[]): string {
  const options = drift.find((entry) => /^#\s*Options: /.test(entry.firstDifference?.committed ?? ''));
  if (options === undefined) return '';
  return (
    `  ${options.file} was generated with other options (${options.firstDifference!.committed.replace(/^#\s*/, '')}): ` +
    'if those are the ones you want, check with the same flags they were generated with\n'
  );
}

/** The characters of a differing line the drift message shows. */
const WINDOW = 100;

/**
 * " at line 12: committed `...` / generated `...`": where a stale file first moved (a
 * spec-change trial's reviewer saw only "differs"). A line over 100 characters is shown as the
 * same 100-character window of both, starting a little before their first different character:
 * cut at the start, an alert expression changed from `0.005` to `0.001` read the same twice.
 */
function whereItDiffers(entry: ArtifactDrift): string {
  const difference = entry.firstDifference;
  if (difference === undefined) return '';
  const { committed, generated } = difference;
  let at = 0;
  while (at < committed.length && committed[at] === generated[at]) at++;
  const from = Math.max(0, Math.min(at - 40, Math.max(committed.length, generated.length) - WINDOW));
  const cut = (line: string) =>
    line.length <= WINDOW
      ? JSON.stringify(line)
      : `${from > 0 ? '…' : ''}${JSON.stringify(line.slice(from, from + WINDOW))}${from + WINDOW < line.length ? '…' : ''}`;
  return ` at line ${difference.line}: committed ${cut(committed)}, generated ${cut(generated)}`;
}
