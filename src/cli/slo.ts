// `plumbline slo rules` is `plumbline generate alerts` under its older name; `plumbline slo
// evaluate` reads a running Prometheus and says, per SLO, how fast the budget burns.

import { loadSpecFile } from '../spec/load.js';
import { evaluateLive } from '../slo/evaluate-live.js';
import type { SloStatus } from '../slo/engine.js';
import {
  HelpRequested,
  UsageError,
  unknownName,
  optionalFlag,
  parseArgs,
  requireFlag,
  seriesMatchersFlag,
} from './args.js';
import { generateCommand } from './generate.js';
import type { CliCommand } from './main.js';

const USAGE =
  'usage: plumbline slo rules --spec FILE [--out DIR] [--runbook-base URL] [--series-matcher LABEL=VALUE[,...]] [--check]\n' +
  '         (an alias of `plumbline generate alerts`)\n' +
  '       plumbline slo evaluate --prometheus URL --spec FILE [--series-matcher LABEL=VALUE[,...]] [--json]\n' +
  '         live SLO state from a running Prometheus; exit 3 when a page fires\n';

export const sloCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'rules') return generateCommand(['alerts', ...rest], io);
  if (sub === 'evaluate') return evaluate(rest, io);
  if (sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  throw new UsageError(unknownName('subcommand', sub, ['rules', 'evaluate']), USAGE);
};

const evaluate: CliCommand = async (args, io) => {
  const parsed = parseArgs(
    args,
    { prometheus: 'value', spec: 'value', json: 'switch', 'series-matcher': 'value' },
    USAGE,
  );
  const seriesMatchers = seriesMatchersFlag(optionalFlag(parsed, 'series-matcher'), USAGE);
  const specPath = requireFlag(parsed, 'spec');
  const prometheusUrl = requireFlag(parsed, 'prometheus');
  const spec = await loadSpecFile(specPath);
  const statuses = await evaluateLive(
    spec,
    prometheusUrl,
    seriesMatchers === undefined ? {} : { seriesMatchers },
  );
  if (parsed.flags.get('json') === true) io.stdout(JSON.stringify(statuses, null, 2) + '\n');
  else io.stdout(formatTable(statuses));
  // Non-zero when a page would fire, so scripts and deploy gates can stop on it.
  return statuses.some((s) => s.tiers.some((t) => t.firing && t.severity === 'page')) ? 3 : 0;
};

export function formatTable(statuses: readonly SloStatus[]): string {
  let text = '';
  for (const s of statuses) {
    const firing = s.tiers.filter((t) => t.firing).map((t) => `${t.tier} (${t.severity})`);
    text += `${s.slo}  objective ${s.objective}% over ${s.window}\n`;
    text += `  SLI ${(s.sli * 100).toFixed(4)}%   budget remaining ${(s.errorBudgetRemaining * 100).toFixed(1)}%   `;
    text += `time to exhaustion ${formatHours(s.timeToExhaustionMs)} at ${s.currentBurnRate.toFixed(2)}x over ${s.currentBurnWindow}\n`;
    text += `  burn rate  ${s.windows.map((w) => `${w.window} ${w.burnRate.toFixed(2)}x`).join('  ')}\n`;
    text += `  alerts     ${firing.length === 0 ? 'none' : firing.join(', ')}\n`;
  }
  return text;
}

function formatHours(ms: number | null): string {
  return ms === null ? 'never' : `${(ms / 3_600_000).toFixed(1)} h`;
}
