// The files of the alerts target that one output directory holds once, whatever the services
// generated into it: alertmanager.yml (one Alertmanager serves them all) keeps what the other
// services in the directory put there (they overwrote each other's: regression
// services-sharing-an-output-dir-overwrite-shared-files). The dashboards target's shared
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
import type { TelemetrySpec } from '../spec/types.js';

type Files = Readonly<Record<string, string>>;

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
