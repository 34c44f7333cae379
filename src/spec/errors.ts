// How a bad spec is reported: every problem names its field (one path notation, see specPath)
// and says what was expected, and setup fails with all of them at once.

export interface SpecIssue {
  /** Where in the spec, e.g. `slos["ingest-latency"].sli.threshold` (see specPath). */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/**
 * A setup error carrying every problem found, each with its place: the shape of SpecError and of
 * the option errors, so callers read `issues` the same way whichever input was wrong.
 */
export class IssueListError<Issue extends SpecIssue = SpecIssue> extends Error {
  constructor(
    what: string,
    readonly issues: readonly Issue[],
  ) {
    super(
      `${what} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n'),
    );
    this.name = new.target.name;
  }
}

export class SpecError extends IssueListError {
  constructor(issues: readonly SpecIssue[]) {
    super('invalid telemetry spec', issues);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX = /^[0-9]+$/;

/**
 * The one spelling of a place in the spec, used by every check: identifier keys dotted, other
 * keys quoted in brackets, array indices in brackets: `slos["orders-latency"].sli`,
 * `events["batch.stored"].level`, `sampling.policies[2].weights.gold`.
 */
export function specPath(...keys: readonly (string | number)[]): string {
  const path = subPath(...keys);
  if (path === '') return '(spec)';
  return path.startsWith('.') ? path.slice(1) : path;
}

/** Keys below a place, spelt as specPath spells them, to append to its path: `.weights.gold`, `["/x"]`. */
export function subPath(...keys: readonly (string | number)[]): string {
  let path = '';
  for (const key of keys) {
    const text = String(key);
    if (typeof key === 'number' || INDEX.test(text)) path += `[${text}]`;
    else if (IDENTIFIER.test(text)) path += `.${text}`;
    else path += `[${JSON.stringify(text)}]`;
  }
  return path;
}

/** Whether `path` is `at` or a place inside it. */
export function isWithin(path: string, at: string): boolean {
  if (at === '(spec)') return true;
  if (!path.startsWith(at)) return false;
  const next = path.charAt(at.length);
  return next === '' || next === '.' || next === '[';
}
