// What the blueprint benches share: one bench config (a single authenticated tenant with a deep
// queue, loopback dependencies), an authenticated load generator, and closed-loop saturation.
import { parseConfig } from '../examples/blueprint/config.js';
import { LoadGenerator, type LoadProfile } from '../examples/blueprint/loadgen.js';
import { startBlueprint, type BlueprintService } from '../examples/blueprint/service.js';
import type { TelemetryPort } from '../examples/blueprint/telemetry-port.js';

const TENANT = 'checkout';
const TOKEN = 'bench-tenant-token-0123456789';

/** Two small events per request, the same for every bench. */
export const BENCH_BODY = JSON.stringify([
  { type: 'page.viewed', user: 'u1', payload: { path: '/a' } },
  { type: 'page.viewed', user: 'u2' },
]);

/** Starts the blueprint on free loopback ports; `extraToml` adds sections (e.g. [chaos]). */
export function startBenchBlueprint(
  telemetry: TelemetryPort,
  dependencyUrls: readonly string[],
  dbPath: string,
  extraToml = '',
): Promise<BlueprintService> {
  const config = parseConfig(`
[service]
listen = "127.0.0.1:0"
[admin]
listen = "127.0.0.1:0"
[storage]
path = "${dbPath}"
[dependencies.geo]
url = "${dependencyUrls[0]}"
[dependencies.profile]
url = "${dependencyUrls[1]}"
[tenants.${TENANT}]
class = "latency-sensitive"
queue_bound = 100000
token_env = "BENCH_TOKEN"
${extraToml}`);
  return startBlueprint(config, telemetry, { env: { BENCH_TOKEN: TOKEN } });
}

/** A load generator for the bench tenant, presenting its token. */
export function benchLoad(
  service: BlueprintService,
  profile: Omit<LoadProfile, 'url' | 'tenants'>,
): LoadGenerator {
  return new LoadGenerator({
    ...profile,
    url: service.url,
    tenants: [{ name: TENANT, weight: 1, token: TOKEN }],
  });
}

/** Accepted requests per second with `clients` closed-loop clients for `ms`, after a short warm-up. */
export async function saturate(service: BlueprintService, clients: number, ms: number): Promise<number> {
  const load = benchLoad(service, { ratePerSecond: 0, connections: clients });
  const warmUntil = Date.now() + 300;
  while (Date.now() < warmUntil)
    await Promise.all(Array.from({ length: clients }, () => load.send(TENANT, BENCH_BODY)));
  const before = load.stats.byStatus[202] ?? 0;
  const started = performance.now();
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) await load.send(TENANT, BENCH_BODY);
    }),
  );
  const perSecond = (((load.stats.byStatus[202] ?? 0) - before) * 1000) / (performance.now() - started);
  await load.stop();
  return perSecond;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
