// The spec's names that name generated files: the service's (alerts/<service>-slo.rules.yaml, the
// promtool/<service>-slo/ directory) and each SLO's (promtool/<service>-slo/<slo>.test.yaml). A file
// system takes at most 255 bytes a name, so a longer one failed `plumbline generate alerts` with
// ENAMETOOLONG after it had written part of its files; both are refused at load instead.
import { specPath, type SpecIssue } from './errors.js';
import type { TelemetrySpec } from './types.js';

/**
 * The longest service or SLO name; both are ASCII (their patterns), so characters are bytes. The
 * longest file a name is part of is `<service>-slo.rules.yaml` (15 more), so 240 keeps every file
 * name within 255 bytes. (200 refused a 204-character service name its dashboards test takes:
 * dashboard-uid-collides-for-different-service-names.)
 */
export const MAX_FILE_NAMING_LENGTH = 240;

export function checkFileNameLengths(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const name = spec.service?.name;
  if (typeof name === 'string' && name.length > MAX_FILE_NAMING_LENGTH)
    issues.push({
      path: specPath('service', 'name'),
      message: tooLong(
        name.length,
        `alerts/${abbreviated(name)}-slo.rules.yaml and promtool/${abbreviated(name)}-slo/`,
      ),
    });
  for (const slo of Object.keys(spec.slos ?? {}))
    if (slo.length > MAX_FILE_NAMING_LENGTH)
      issues.push({
        path: specPath('slos', slo),
        message: tooLong(slo.length, `promtool/<service>-slo/${abbreviated(slo)}.test.yaml`),
      });
  return issues;
}

function tooLong(length: number, files: string): string {
  return (
    `is ${length} characters; at most ${MAX_FILE_NAMING_LENGTH}: it names generated files (${files}), ` +
    'and a file system takes at most 255 bytes a file name'
  );
}

/** A long name cut for the message: its start, the cut length, its end. */
function abbreviated(name: string): string {
  return `${name.slice(0, 12)}...${name.slice(-4)}`;
}
