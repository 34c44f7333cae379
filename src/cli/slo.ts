// `plumbline slo rules` writes the Prometheus rules and their promtool tests; `plumbline slo
// evaluate` reads a running Prometheus and says, per SLO, how fast the budget burns.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSpecFile } from '../spec/load.js';
import { generatePrometheusRules, ruleFileName } from '../generate/rules/prometheus-rules.js';
import { generatePromtoolTests, promtoolTestFileName } from '../generate/rules/promtool-tests.js';
import { evaluateLive } from '../slo/evaluate-live.js';
import type { SloStatus } from '../slo/engine.js';
import { optionalFlag, parseArgs, requireFlag } from './args.js';
import type { CliCommand, CliIo } from './main.js';

const USAGE =
  'usage: plumbline slo rules --spec FILE --out DIR [--runbook-base URL]\n' +
  '       plumbline slo evaluate --prometheus URL --spec FILE [--json]\n';

export const sloCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'rules') return rules(rest, io);
  if (sub === 'evaluate') return evaluate(rest, io);
  io.stderr(USAGE);
  return sub === undefined || sub === '--help' ? 0 : 2;
};

async function rules(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  const spec = await loadSpecFile(requireFlag(parsed, 'spec'));
  const out = requireFlag(parsed, 'out');
  const runbookBaseUrl = optionalFlag(parsed, 'runbook-base');
  const options = runbookBaseUrl === undefined ? {} : { runbookBaseUrl };
  await mkdir(out, { recursive: true });
  const files = [
    [ruleFileName(spec), generatePrometheusRules(spec, options)],
    [promtoolTestFileName(spec), generatePromtoolTests(spec, options)],
  ] as const;
  for (const [name, text] of files) {
    await writeFile(join(out, name), text);
    io.stdout(`wrote ${join(out, name)}\n`);
  }
  return 0;
}

async function evaluate(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  const spec = await loadSpecFile(requireFlag(parsed, 'spec'));
  const statuses = await evaluateLive(spec, requireFlag(parsed, 'prometheus'));
  if (parsed.flags.get('json') === true) io.stdout(JSON.stringify(statuses, null, 2) + '\n');
  else io.stdout(formatTable(statuses));
  // Non-zero when a page would fire, so scripts and deploy gates can stop on it.
  return statuses.some((s) => s.tiers.some((t) => t.firing && t.severity === 'page')) ? 3 : 0;
}

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
