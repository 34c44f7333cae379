// The files of the alerts target that one output directory holds once, whatever the services
// generated into it: alertmanager.yml (one Alertmanager serves them all) keeps what the other
// services in the directory put there (they overwrote each other's: regression
// services-sharing-an-output-dir-overwrite-shared-files), and pipeline.rules.yaml, the same rules
// for every service but for their runbook links, is refused when this run's --runbook-base differs
// from the one the other services' rules were generated with (regression:
// services-sharing-an-output-dir-disagree-on-shared-settings). The dashboards target's shared
// files are merged by the library itself (src/generate/dashboards/shared-files.ts), for
// writeDashboards and the CLI alike.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { existingText, notGeneratedByPlumbline } from '../generate/dashboards/shared-files.js';
import {
  ALERTMANAGER_FILE,
  readAlertmanagerServices,
  renderAlertmanagerConfig,
  type ServiceInhibitRules,
} from '../generate/rules/alertmanager.js';
import { PIPELINE_RULES_FILE } from '../generate/rules/pipeline-alerts.js';
import { ruleFileName } from '../generate/rules/prometheus-rules.js';
import { INVARIANTS_DOC_PATH } from '../generate/invariants/options.js';
import type { TelemetrySpec } from '../spec/types.js';

type Files = Readonly<Record<string, string>>;

/** The alerts target's files with the directory's shared ones merged (or refused). */
export async function sharedAlertsFiles(spec: TelemetrySpec, outDir: string, files: Files): Promise<Files> {
  await refusePipelineRulesMismatch(spec, outDir, files);
  return sharedAlertmanagerFile(spec, outDir, files);
}

/** The other services whose SLO rules file (`<service>-slo.rules.yaml`, ruleFileName) is in outDir. */
async function otherRuledServices(spec: TelemetrySpec, outDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith('-slo.rules.yaml') && name !== ruleFileName(spec))
    .map((name) => name.slice(0, -'-slo.rules.yaml'.length))
    .sort();
}

/** The --runbook-base of a rules text: its first runbook_url up to the doc's path. */
function runbookBaseOf(text: string): string | undefined {
  const url = /^\s*runbook_url:\s*["']?([^"'\n]*)/m.exec(text)?.[1];
  const at = url?.indexOf(INVARIANTS_DOC_PATH) ?? -1;
  return at < 0 ? undefined : url!.slice(0, at);
}

/**
 * pipeline.rules.yaml there with other runbook links than this run's, while other services' rules
 * are in the directory: the file is theirs as much as this service's, and whichever ran last
 * decided where every pipeline alert links.
 */
async function refusePipelineRulesMismatch(spec: TelemetrySpec, outDir: string, files: Files): Promise<void> {
  const ours = files[PIPELINE_RULES_FILE];
  if (ours === undefined) return;
  const path = join(outDir, PIPELINE_RULES_FILE);
  const existing = await existingText(path);
  if (existing === undefined || existing === ours) return;
  const others = await otherRuledServices(spec, outDir);
  if (others.length === 0) return;
  const there = runbookBaseOf(existing);
  const here = runbookBaseOf(ours);
  if (there === undefined || there === here) return;
  const flag = (base: string | undefined) =>
    base === '' ? 'no --runbook-base (relative links)' : `--runbook-base ${JSON.stringify(base)}`;
  throw new Error(
    `${path}: its runbook links were generated with ${flag(there)}, this run has ${flag(here)}. ` +
      `The rules of ${others.join(', ')} are in ${outDir} and share this file: give every service generated into one ` +
      'directory the same --runbook-base, or another directory (--out); to change it for all of them, remove the file ' +
      'and generate each service again. Nothing was written',
  );
}

/**
 * alertmanager.yml with the inhibit rules of every other service whose rules file
 * (`<service>-slo.rules.yaml`, ruleFileName) is in the directory: a service whose rules left
 * it loses its inhibit rules too.
 */
export async function sharedAlertmanagerFile(
  spec: TelemetrySpec,
  outDir: string,
  files: Files,
): Promise<Files> {
  const path = join(outDir, ALERTMANAGER_FILE);
  const existing = await existingText(path);
  if (existing === undefined) return files;
  let services: ServiceInhibitRules[] | undefined;
  try {
    services = readAlertmanagerServices(existing);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  if (services === undefined) throw notGeneratedByPlumbline(path, 'alerts');
  const inDir = new Set(await readdir(outDir));
  const others = services.filter(
    (other) => other.service !== spec.service.name && inDir.has(`${other.service}-slo.rules.yaml`),
  );
  if (others.length === 0) return files;
  return { ...files, [ALERTMANAGER_FILE]: renderAlertmanagerConfig(spec, {}, others) };
}
