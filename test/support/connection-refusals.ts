// What the in-process connection tests read back: the connection.refused lines of the blueprint's
// security log, their count on the admin listener's /metrics, and a listener URL as net.connect
// options.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InProcessBlueprint } from './in-process-blueprint.js';

/** A listener URL as the host and port of net.connect and http.request. */
export function hostPort(url: string): { host: string; port: number } {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

/** The connection.refused lines of the security log (security.ndjson in the blueprint's directory). */
export function connectionRefusals(blueprint: InProcessBlueprint): Record<string, unknown>[] {
  return readFileSync(join(blueprint.dir, 'security.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.event === 'connection.refused');
}

/** The connection.refused count for `outcome` on the admin listener's /metrics. */
export async function connectionRefusalsCounted(
  blueprint: InProcessBlueprint,
  outcome: string,
): Promise<number> {
  const body = await (await fetch(`${blueprint.service.adminUrl}/metrics`)).text();
  const line = body
    .split('\n')
    .find((l) =>
      l.startsWith(`plumbline_security_events_total{event="connection.refused",outcome="${outcome}"}`),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** Waits (up to 5 s) until the security log holds a connection.refused line for each outcome. */
export async function connectionRefusalsLogged(
  blueprint: InProcessBlueprint,
  ...outcomes: string[]
): Promise<void> {
  await connectionRefusalLogged(blueprint, (lines) => {
    const seen = new Set(lines.map((line) => line.outcome));
    return outcomes.every((outcome) => seen.has(outcome));
  });
}

/** Waits (up to 5 s) until the connection.refused lines of the security log satisfy `enough`. */
export async function connectionRefusalLogged(
  blueprint: InProcessBlueprint,
  enough: (lines: Record<string, unknown>[]) => boolean,
): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    if (enough(connectionRefusals(blueprint))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
