// Which attribute values a real collector, running the generated single.yaml, keeps under a spec
// `attribute` policy: one single-span trace per probe value (all under one resource, whose
// attributes may be given), sent over OTLP/HTTP, and the trace IDs the file exporter wrote. What the collector read from the YAML, not what the YAML says.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { keptTraces } from './collector.js';
import { startProbeCollector } from './collector-trace-probe.js';

export interface ProbeResult {
  /** The probe values whose trace the collector kept. */
  readonly kept: ReadonlySet<string>;
  /** How many probe traces the collector kept (probes may repeat a value). */
  readonly keptCount: number;
}

/**
 * Runs `policies` (the spec's, with no budget: a trace no rule keeps is dropped) in a single
 * collector and sends one trace per probe, the value on span attribute `key`. Throws with the
 * collector's output when it refuses the config.
 */
export async function keptByCollector(
  policies: readonly SamplingPolicySpec[],
  key: string,
  probes: readonly string[],
  options: {
    readonly spansPerTrace?: number;
    /** String attributes of the probes' resource (besides service.name). */
    readonly resource?: Readonly<Record<string, string>>;
  } = {},
): Promise<ProbeResult> {
  const { resource = {}, ...generateOptions } = options;
  const { dir, traceFile, httpPort, collector } = await startProbeCollector(
    'attribute',
    policies,
    generateOptions,
  );
  try {
    const traceIds = probes.map(() => randomBytes(16).toString('hex'));
    const nowNs = BigInt(Date.now() - 10_000) * 1_000_000n;
    const response = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: Object.entries({ 'service.name': 'probe', ...resource }).map(([name, value]) => ({
                key: name,
                value: { stringValue: value },
              })),
            },
            scopeSpans: [
              {
                scope: { name: 'probe' },
                spans: probes.map((value, i) => ({
                  traceId: traceIds[i],
                  spanId: randomBytes(8).toString('hex'),
                  name: 'probe',
                  kind: 2,
                  startTimeUnixNano: nowNs.toString(),
                  endTimeUnixNano: (nowNs + 1_000_000n).toString(),
                  attributes: [{ key, value: { stringValue: value } }],
                })),
              },
            ],
          },
        ],
      }),
    });
    if (!response.ok) throw new Error(`OTLP/HTTP POST: ${response.status} ${await response.text()}`);
    const keptIds = await keptTraces(collector, traceFile, probes.length);
    const keptProbes = probes.filter((_, i) => keptIds.has(traceIds[i]!));
    return { kept: new Set(keptProbes), keptCount: keptProbes.length };
  } finally {
    await collector.process.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
