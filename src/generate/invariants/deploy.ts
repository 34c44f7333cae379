// The doc's first section: the one way to deploy the service with its generated artifacts, the
// one way back (the previous commit's artifacts, same steps), and the switches that need no deploy.
import { resolveSpec } from '../../spec/model.js';
import type { TelemetrySpec } from '../../spec/types.js';
import { COLLECTOR_RELEASE } from '../collector/distribution.js';
import { generateCollectorConfigs } from '../collector/generate.js';
import type { CollectorOptions } from '../collector/options.js';
import { resolveDashboardOptions, type DashboardOptions } from '../dashboards/options.js';
import type { Monitors } from './monitors.js';
import {
  DEFAULT_RUNBOOK_BASE_URL,
  SPEC_PATH_PLACEHOLDER,
  type FeatureFlag,
  type ResolvedInvariantsDocOptions,
} from './options.js';

const BUILDER_CONFIG_FILE = 'builder-config.yaml';

/** The `plumbline generate` targets whose committed output a deploy ships (CI checks each for drift). */
export const DEPLOYED_TARGETS = [
  { target: 'collector', out: 'collector' },
  { target: 'dashboards', out: 'dashboards' },
  { target: 'alerts', out: 'alerts' },
  { target: 'docs', out: 'docs' },
] as const;

export const DEPLOY_HEADING = 'Deploy and roll back';
export const FEATURE_FLAGS_HEADING = 'Feature flags';

/**
 * The flags a target was generated with that change its output, so the doc's drift checks
 * regenerate the same files (regression: slo-rules-summed-every-service.test.ts, an SRE trial's
 * job-scoped rules failing the doc's check). Every collector and dashboards option has its flag
 * (regression: invariants-doc-check-commands-miss-generator-options).
 */
function targetFlags(target: string, options: ResolvedInvariantsDocOptions): string {
  const flags: string[] = [];
  const matchers = options.prometheusRules.seriesMatchers;
  const ruled = target === 'alerts' || target === 'docs';
  if (ruled && options.runbookBaseUrl !== DEFAULT_RUNBOOK_BASE_URL)
    flags.push(`--runbook-base ${shellWord(options.runbookBaseUrl)}`);
  if (ruled && matchers !== undefined && Object.keys(matchers).length > 0)
    flags.push(`--series-matcher ${shellWord(seriesMatcherFlag(matchers))}`);
  if (target === 'docs' && options.docOptionsPath !== undefined)
    flags.push(`--doc-options ${shellWord(options.docOptionsPath)}`);
  if (target === 'collector') flags.push(...collectorFlags(options.collector));
  if (target === 'dashboards') flags.push(...dashboardFlags(options.dashboards));
  return flags.map((flag) => ` ${flag}`).join('');
}

/** `plumbline generate collector`'s flags for these options (tls as given: true overrides the spec too). */
function collectorFlags(options: CollectorOptions): string[] {
  const flags: string[] = [];
  const value = (flag: string, given: string | number | undefined) => {
    if (given !== undefined) flags.push(`--${flag} ${shellWord(String(given))}`);
  };
  value('gateways', options.gatewayCount);
  value('spans-per-trace', options.spansPerTrace);
  value('resolver', options.resolver);
  if (options.tls !== undefined) flags.push(options.tls ? '--tls' : '--no-tls');
  value('trace-backend', options.traceBackend);
  value('agent-queue-spans', options.agentQueueSpans);
  value('decision-wait-seconds', options.decisionWaitSeconds);
  return flags;
}

/** `plumbline generate dashboards`' flags for these options. */
function dashboardFlags(options: DashboardOptions): string[] {
  const flags: string[] = [];
  const value = (flag: string, given: string | number | undefined) => {
    if (given !== undefined) flags.push(`--${flag} ${shellWord(String(given))}`);
  };
  value('prometheus-url', options.prometheusUrl);
  value('tempo-url', options.tempoUrl);
  value('dashboards-path', options.dashboardsPath);
  value('folder', options.folder);
  value('exemplar-trace-id-label', options.exemplarTraceIdLabel);
  value('trace-limit', options.traceLimit);
  return flags;
}

/** `job=shop,namespace=prod|staging`, as `--series-matcher` takes it. */
export function seriesMatcherFlag(matchers: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(matchers)
    .map(([label, values]) => `${label}=${values.join('|')}`)
    .join(',');
}

/** A word for a POSIX shell: as is when it holds no special character, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w./:=,@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function renderDeploySection(
  spec: TelemetrySpec,
  options: ResolvedInvariantsDocOptions,
  monitors: Monitors,
): string {
  // The configs a collector runs with; builder-config.yaml is the distribution they need.
  const collectorFiles = Object.keys(generateCollectorConfigs(spec, options.collector)).filter(
    (file) => file !== BUILDER_CONFIG_FILE,
  );
  const has = (file: string): boolean => collectorFiles.includes(file);
  const dashboardsPath = resolveDashboardOptions(options.dashboards).dashboardsPath;
  const dashboardJson = monitors.dashboardFiles.filter((file) => file.endsWith('.json'));
  const { specPath, configPath } = options;
  // A path with a space or quote runs as one word (regression: generate-docs-depends-on-spec-spelling).
  const specWord = specPath === SPEC_PATH_PLACEHOLDER ? specPath : shellWord(specPath);
  const lines: string[] = [];
  lines.push(
    `## ${DEPLOY_HEADING}`,
    '',
    `Everything ${spec.service.name} runs with comes from one commit: the service and its config${configPath === undefined ? '' : ` (\`${configPath}\`)`}, ` +
      `and the artifacts generated from its telemetry spec (\`${specPath}\`) and committed beside it — ` +
      `collector configs (${collectorFiles.map((f) => `\`collector/${f}\``).join(', ')}), dashboards ` +
      `(${dashboardJson.map((f) => `\`dashboards/${f}\``).join(', ')} and \`dashboards/provisioning/\`), ` +
      `alert rules (${monitors.ruleFiles.map((f) => `\`alerts/${f}\``).join(', ')}) and this document. ` +
      "A deploy ships one commit's set; a roll back ships the previous commit's set the same way. Nothing is edited on a host.",
    '',
    '### Deploy',
    '',
    '1. **Check the commit.** CI fails when a generated file differs from the generator output; the same checks by hand:',
    '',
    '   ```sh',
    ...DEPLOYED_TARGETS.map(
      ({ target, out }) =>
        `   npx plumbline generate ${target} --spec ${specWord}${targetFlags(target, options)} --out ${out} --check`,
    ),
    `   promtool check rules ${monitors.ruleFiles.map((f) => `alerts/${f}`).join(' ')}`,
    '   ```',
    '',
    '2. **Rules first**, so the new version is watched from its first request: copy `alerts/*.rules.yaml` into the ' +
      'directory Prometheus reads `rule_files` from and reload it (`curl -X POST http://<prometheus>/-/reload` with ' +
      '`--web.enable-lifecycle`, or SIGHUP). Prometheus keeps the old rules if the new ones do not load: check ' +
      '`prometheus_config_last_reload_successful`.',
    `3. **Dashboards**: copy \`dashboards/*.json\` to \`${dashboardsPath}\` and \`dashboards/provisioning/\` to ` +
      "Grafana's provisioning directory (`/etc/grafana/provisioning`); Grafana picks up changed files without a restart.",
    '4. **Collectors**, gateways before agents (an agent buffers spans per gateway while one restarts). Build the ' +
      `binary once per commit from \`collector/${BUILDER_CONFIG_FILE}\` with the OpenTelemetry Collector Builder ` +
      `(\`go run go.opentelemetry.io/collector/cmd/builder@v${COLLECTOR_RELEASE} --config collector/${BUILDER_CONFIG_FILE}\`; ` +
      'set `otelcol` to the binary it writes under `dist.output_path`), then restart each collector with its file:',
    '',
    '   ```sh',
    ...(has('gateway.yaml') ? ['   "$otelcol" --config collector/gateway.yaml   # each gateway host'] : []),
    ...(has('agent.yaml')
      ? ['   "$otelcol" --config collector/agent.yaml     # beside each service instance']
      : []),
    ...(has('single.yaml')
      ? ['   "$otelcol" --config collector/single.yaml    # instead of both, on a single host']
      : []),
    '   ```',
    '',
    '   Endpoints and TLS files come from the `PLUMBLINE_*` environment variables listed at the top of each file.',
    `5. **The service**, one instance at a time: ${options.replaceInstance}${options.startCommand === undefined ? '.' : ':'}`,
    // A blank line only around a code block: list items stay one list.
    ...(options.startCommand === undefined
      ? []
      : ['', '   ```sh', `   ${options.startCommand}`, '   ```', '']),
    `6. **Watch** for at least ${watchWindow(spec)}: no alert of this document firing, every target up, ` +
      'the burn-rate panels flat. Anything else: roll back.',
    '',
    '### Roll back',
    '',
    'Run the same six steps from a checkout of the previous commit, in the same order, so rules and dashboards always ' +
      'describe the telemetry of the version that runs:',
    '',
    '```sh',
    'git worktree add ../rollback <previous-commit> && cd ../rollback',
    '```',
    '',
    ...(options.rollbackNote === undefined ? [] : [options.rollbackNote, '']),
    `### ${FEATURE_FLAGS_HEADING}`,
    '',
    'These switches are read when an instance starts: change the environment (or config) and restart the instance as in ' +
      'step 5, with the same artifacts. No deploy, no regeneration.',
    '',
    ...featureFlagTable(options.featureFlags),
  );
  return lines.join('\n');
}

/** The shortest burn-rate window: the soonest a fast-burn alert can confirm a bad deploy. */
function watchWindow(spec: TelemetrySpec): string {
  let shortest: { window: string; ms: number } | undefined;
  for (const slo of resolveSpec(spec).slos) {
    for (const tier of slo.tiers) {
      if (shortest === undefined || tier.shortWindowMs < shortest.ms)
        shortest = { window: tier.shortWindow, ms: tier.shortWindowMs };
    }
  }
  return shortest === undefined
    ? 'one scrape interval'
    : `the shortest burn-rate window (${shortest.window})`;
}

function featureFlagTable(flags: readonly FeatureFlag[]): string[] {
  if (flags.length === 0) return ['This service has no feature flags.'];
  return [
    '| Switch | Set with | Values | Default | Switched off |',
    '| --- | --- | --- | --- | --- |',
    ...flags.map((flag) =>
      [
        flag.name,
        flag.setting,
        flag.values.map((v) => `\`${v.value}\`: ${v.effect}`).join('; '),
        flag.defaultValue,
        flag.whenOff,
      ]
        .map(cell)
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
  ];
}

/** A table cell: pipes escaped, newlines folded. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}
