// Regression (dashboards review): the spec accepted attributes named `job` or `instance`.
// Prometheus sets both on every scraped series and, with default scrape settings, renames the
// service's own to `exported_job` / `exported_instance`: with a counter `jobs.processed` on
// ['job', 'status'] and an SLO `where: { job: ['nightly'] }`, the stored series carried
// `exported_job="nightly", job="batch"` (Prometheus 3), the "rate by job" panel showed only the
// scrape job, and the SLO's recording rules and burn-rate panel were empty while the true error
// ratio was 0.5. The spec now refuses both names, naming the field and why.
import { expect, it } from 'vitest';
import { createMetrics, SpecError, specIssues } from '../../src/index.js';

const spec = (attributes: string[]) => ({
  service: { name: 'batch' },
  events: {},
  counters: { 'jobs.processed': { description: 'Jobs processed.', attributes } },
});

it('refuses attributes named job or instance, naming the field', () => {
  expect(() => createMetrics(spec(['job', 'status']) as never)).toThrow(SpecError);
  expect(
    specIssues(spec(['status', 'job', 'instance'])).map((issue) => `${issue.path}: ${issue.message}`),
  ).toEqual([
    expect.stringMatching(/^counters\["jobs\.processed"\]\.attributes\[1\]: .*"job".*exported_job/),
    expect.stringMatching(/^counters\["jobs\.processed"\]\.attributes\[2\]: .*"instance".*exported_instance/),
  ]);
  // A name that only reads like them stays allowed.
  expect(specIssues(spec(['job_name', 'instance.id', 'status']))).toEqual([]);
});
