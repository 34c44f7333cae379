// How a bad spec is reported: every problem names its field (a JSON-pointer-like path) and
// says what was expected, and setup fails with all of them at once.

export interface SpecIssue {
  /** Where in the spec, e.g. "slos.ingest-latency.sli.threshold". */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

export class SpecError extends Error {
  constructor(readonly issues: readonly SpecIssue[]) {
    super(
      `invalid telemetry spec (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n'),
    );
    this.name = 'SpecError';
  }
}
