// The live check as a test step: start it, run the test's own load against the service, and
// get the report (or an assertion error carrying the deviation table) — for users' CI.
import { startLiveCheck, type LiveCheckOptions, type LiveCheckReport } from './live-check.js';
import { formatReport } from './report.js';

export interface CheckUnderLoadOptions extends LiveCheckOptions {
  /**
   * The test's load. Gets the OTLP endpoint when `otlpListen` is set (point the service at it
   * before its first export); the check finishes when the promise settles.
   */
  readonly load: (check: {
    readonly otlpEndpoint: string | undefined;
    scrape(): Promise<void>;
  }) => Promise<void>;
}

/** Runs `load` under a live check and returns the report. */
export async function checkUnderLoad(options: CheckUnderLoadOptions): Promise<LiveCheckReport> {
  const check = await startLiveCheck(options);
  try {
    await options.load({ otlpEndpoint: check.otlpEndpoint, scrape: () => check.scrape() });
  } catch (error) {
    // Close the OTLP listener and the log followers before the load's failure propagates.
    await check.finish();
    throw error;
  }
  return check.finish();
}

export class ConformanceError extends Error {
  constructor(readonly report: LiveCheckReport) {
    super(`telemetry deviates from the spec:\n${formatReport(report)}`);
    this.name = 'ConformanceError';
  }
}

/** Throws a ConformanceError listing every deviation unless the report has none. */
export function assertConforms(report: LiveCheckReport): void {
  if (!report.ok) throw new ConformanceError(report);
}
