// The live check's options that can be wrong before anything is watched: a /metrics URL that is
// not one, an OTLP listen address that is not HOST:PORT. Refused at once, as bad usage: the CLI
// exits 2 for them, as for a bad --duration (check.md), not 1 as for a service that deviates.

/**
 * A value of LiveCheckOptions (a flag of `plumbline check live`) that cannot be used: the CLI
 * prints it with its usage and exits 2.
 */
export class LiveCheckOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveCheckOptionError';
  }
}

/** The URL of `--metrics`: http:// or https://, anything else refused. */
export function parseMetricsUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new LiveCheckOptionError(
      `--metrics: expected an http:// or https:// URL such as http://127.0.0.1:9464/metrics, got "${text}"`,
    );
  return url;
}

/** A byte bound of LiveCheckOptions: a positive integer, or `fallback` when not given. */
export function parseByteBound(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new LiveCheckOptionError(
      `${name}: expected a positive whole number of bytes, got ${String(value)}`,
    );
  return value;
}
