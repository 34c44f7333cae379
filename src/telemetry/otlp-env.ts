// The OTel exporter variables that come in a general and a per-signal form
// (OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, ...): read as OTel's
// exporters read them, the signal's own first.

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_<SUFFIX> if it is set and not blank, else OTEL_EXPORTER_OTLP_<SUFFIX>
 * if that is; its name and value as set. `signal` as in the names (TRACES, METRICS, LOGS; any case).
 */
export function otlpVariable(
  env: NodeJS.ProcessEnv,
  signal: string,
  suffix: string,
): { readonly name: string; readonly value: string } | undefined {
  for (const name of [
    `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${suffix}`,
    `OTEL_EXPORTER_OTLP_${suffix}`,
  ]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value };
  }
  return undefined;
}
