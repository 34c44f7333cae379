// Which measurements may become exemplars (OTel SDK spec "ExemplarFilter"), chosen once at
// setup from the option or OTEL_METRICS_EXEMPLAR_FILTER.

export type ExemplarFilter = 'always_on' | 'always_off' | 'trace_based';

const FILTERS: readonly ExemplarFilter[] = ['always_on', 'always_off', 'trace_based'];

/** The option wins; then the environment variable; an unknown value falls back to trace_based. */
export function resolveExemplarFilter(
  option: ExemplarFilter | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ExemplarFilter {
  if (option !== undefined && FILTERS.includes(option)) return option;
  const fromEnv = env.OTEL_METRICS_EXEMPLAR_FILTER?.trim().toLowerCase();
  return FILTERS.find((filter) => filter === fromEnv) ?? 'trace_based';
}
