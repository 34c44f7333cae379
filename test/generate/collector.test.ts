import { readFile } from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import { componentsMissingFromDistribution } from '../../src/generate/collector/distribution.js';
import { splitBudget, tailSamplingPlan } from '../../src/generate/collector/policies.js';
import { loadSpecFile } from '../../src/spec/load.js';
import { SpecError } from '../../src/spec/errors.js';
import { collectorSpec } from '../fixtures/collector-spec.js';

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BLUEPRINT = 'examples/blueprint/telemetry.ts';

function captureIo() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text) },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('generateCollectorConfigs', () => {
  it('matches the committed collector/*.yaml generated from the blueprint spec (golden files)', async () => {
    const files = generateCollectorConfigs(await loadSpecFile(BLUEPRINT));
    for (const [name, text] of Object.entries(files)) {
      expect(await readFile(join('collector', name), 'utf8'), name).toBe(text);
    }
  });

  it('is deterministic: the same spec gives the same bytes', () => {
    expect(generateCollectorConfigs(collectorSpec)).toEqual(generateCollectorConfigs(collectorSpec));
  });

  it('renders every spec policy kind in order, keep-whole policies before budgets, first match decides', () => {
    const gateway = parse(generateCollectorConfigs(collectorSpec)['gateway.yaml']) as Yaml;
    const tail = gateway['processors']['tail_sampling'];
    expect(tail.sample_on_first_match).toBe(true);
    expect(tail.num_traces).toBe(20_000);
    // The spec's grace, plus the SDK's 5 s export schedule and the agent's batch: late spans of
    // the trace's other processes (regression: gateway-decides-before-other-processes-export).
    expect(tail.decision_wait_after_root_received).toBe('6s');
    const byName = new Map<string, Yaml>(tail.policies.map((policy: Yaml) => [policy['name'], policy]));
    expect([...byName.keys()]).toEqual([
      'errors',
      'errors:http.response.status_code',
      'errors:http.status_code',
      'slow:/export',
      'slow:/query',
      'slow:other-routes',
      'exemplars',
      'audit',
      'baseline',
    ]);
    expect(byName.get('errors')).toEqual({
      name: 'errors',
      type: 'status_code',
      status_code: { status_codes: ['ERROR'] },
    });
    expect(byName.get('errors:http.status_code')?.['numeric_attribute']).toEqual({
      key: 'http.status_code',
      min_value: 500,
      max_value: 599,
    });
    expect(byName.get('exemplars')?.['boolean_attribute']).toEqual({
      key: 'plumbline.exemplar',
      value: true,
    });
    expect(byName.get('audit')?.['string_attribute']).toEqual({ key: 'tenant.tier', values: ['audit'] });
    const exportRoute = byName.get('slow:/export')?.['and']['and_sub_policy'];
    expect(exportRoute[0]['string_attribute']).toEqual({ key: 'http.route', values: ['/export'] });
    // The collector keeps duration > threshold_ms, the spec means >= thresholdMs: one ms less.
    expect(exportRoute[1]['latency']).toEqual({ threshold_ms: 1999 });
    const otherRoutes = byName.get('slow:other-routes')?.['and']['and_sub_policy'];
    expect(otherRoutes[0]['string_attribute']).toEqual({
      key: 'http.route',
      values: ['/export', '/query'],
      invert_match: true,
    });
    expect(otherRoutes[1]['latency']).toEqual({ threshold_ms: 499 });
  });

  it('turns weighted budgets into composite rate allocations that sum to 100% of the gateway share', () => {
    const gateway = parse(
      generateCollectorConfigs(collectorSpec, { gatewayCount: 4, spansPerTrace: 6 })['gateway.yaml'],
    ) as Yaml;
    const budget = gateway['processors']['tail_sampling']['policies'].at(-1);
    expect(budget.type).toBe('composite');
    // ceil(20 traces/s × 6 spans / 4 gateways) = 30 spans/s per gateway
    expect(budget.composite.max_total_spans_per_second).toBe(30);
    expect(budget.composite.policy_order).toEqual(['baseline/gold', 'baseline/silver', 'baseline/others']);
    const percents = budget.composite.rate_allocation.map((entry: Yaml) => entry['percent']);
    expect(percents).toEqual([50, 33, 17]); // weights 3 : 2 : 1 (others)
    expect(percents.reduce((sum: number, value: number) => sum + value, 0)).toBe(100);
  });

  it('single.yaml keeps the whole budget (one collector), gateway.yaml its 1/N share', () => {
    const budget = { name: 'b', kind: 'budget', tracesPerSecond: 7 } as const;
    const limit = (text: string) =>
      (parse(text) as Yaml)['processors']['tail_sampling']['policies'].find(
        (policy: Yaml) => policy['type'] === 'rate_limiting',
      )['rate_limiting'];
    const small = generateCollectorConfigs(
      { ...collectorSpec, sampling: { maxSpansPerTrace: 10, policies: [budget] } },
      { gatewayCount: 3, spansPerTrace: 5 },
    );
    expect(limit(small['gateway.yaml'])).toEqual({ spans_per_second: 12, burst_capacity: 24 }); // ceil(35 / 3)
    expect(limit(small['single.yaml'])).toEqual({ spans_per_second: 35, burst_capacity: 70 });
    // maxSpansPerTrace unset is its default, 1000: the burst admits a trace that large.
    const byDefault = generateCollectorConfigs(
      { ...collectorSpec, sampling: { policies: [budget] } },
      { gatewayCount: 3, spansPerTrace: 5 },
    );
    expect(limit(byDefault['gateway.yaml'])).toEqual({ spans_per_second: 12, burst_capacity: 1000 });
    expect(limit(byDefault['single.yaml'])).toEqual({ spans_per_second: 35, burst_capacity: 1000 });
  });

  it('writes TLS between tiers by default and an explicit insecure: true when turned off', () => {
    const secure = generateCollectorConfigs(collectorSpec);
    const agentTls = (parse(secure['agent.yaml']) as Yaml)['exporters']['load_balancing']['protocol']['otlp'][
      'tls'
    ];
    expect(Object.keys(agentTls).sort()).toEqual(['ca_file', 'cert_file', 'key_file', 'reload_interval']);
    const serverTls = (parse(secure['gateway.yaml']) as Yaml)['receivers']['otlp']['protocols']['grpc'][
      'tls'
    ];
    expect(serverTls['client_ca_file']).toContain('PLUMBLINE_TLS_CA_FILE');
    const plain = generateCollectorConfigs(collectorSpec, { tls: false });
    expect(
      (parse(plain['agent.yaml']) as Yaml)['exporters']['load_balancing']['protocol']['otlp']['tls'],
    ).toEqual({ insecure: true });
    expect(
      (parse(plain['gateway.yaml']) as Yaml)['receivers']['otlp']['protocols']['grpc']['tls'],
    ).toBeUndefined();
    expect(plain['agent.yaml']).toContain('# TLS turned off by the generator options');
  });

  it('turns TLS off when the spec opts out (collector.tls = false) and says so in the YAML', () => {
    const files = generateCollectorConfigs({ ...collectorSpec, collector: { tls: false } });
    const agent = parse(files['agent.yaml']) as Yaml;
    expect(agent['exporters']['load_balancing']['protocol']['otlp']['tls']).toEqual({ insecure: true });
    expect(
      (parse(files['gateway.yaml']) as Yaml)['receivers']['otlp']['protocols']['grpc']['tls'],
    ).toBeUndefined();
    expect(files['agent.yaml']).toContain(
      '# TLS turned off by the spec: collector.tls = false; plaintext between tiers.',
    );
    expect(files['gateway.yaml']).toContain(
      '# TLS turned off by the spec: collector.tls = false; agents connect in plaintext.',
    );
    expect(files['agent.yaml']).toContain('tls=false (spec collector.tls)');
    expect(files['agent.yaml']).not.toContain('generator options');
  });

  it('lets the generator option override the spec either way, and names the option as the cause', () => {
    const forcedOn = generateCollectorConfigs({ ...collectorSpec, collector: { tls: false } }, { tls: true });
    const agentTls = (parse(forcedOn['agent.yaml']) as Yaml)['exporters']['load_balancing']['protocol'][
      'otlp'
    ]['tls'];
    expect(agentTls['insecure']).toBeUndefined();
    expect(agentTls['cert_file']).toContain('PLUMBLINE_TLS_CERT_FILE');
    expect(forcedOn['agent.yaml']).toContain('# TLS turned on by the generator options (tls = true)');
    expect(forcedOn['agent.yaml']).toContain('tls=true (generator option)');
    const forcedOff = generateCollectorConfigs(
      { ...collectorSpec, collector: { tls: true } },
      { tls: false },
    );
    expect(
      (parse(forcedOff['agent.yaml']) as Yaml)['exporters']['load_balancing']['protocol']['otlp']['tls'],
    ).toEqual({ insecure: true });
    expect(forcedOff['agent.yaml']).toContain('# TLS turned off by the generator options (tls = false)');
    expect(forcedOff['agent.yaml']).not.toContain('by the spec');
    // The spec saying "on" explicitly is the default config, with its source in the header.
    const explicitOn = generateCollectorConfigs({ ...collectorSpec, collector: { tls: true } });
    const byDefault = generateCollectorConfigs(collectorSpec);
    expect(parse(explicitOn['agent.yaml'])).toEqual(parse(byDefault['agent.yaml']));
    expect(explicitOn['agent.yaml']).toContain('tls=true (spec collector.tls)');
  });

  it('carries the apps’ log records: agent → load_balancing by trace ID, gateway and single → the log backend', () => {
    const files = generateCollectorConfigs(collectorSpec);
    const agent = parse(files['agent.yaml']) as Yaml;
    expect(agent['service']['pipelines']['logs']).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'batch'],
      exporters: ['load_balancing'],
    });
    expect(agent['exporters']['load_balancing']['routing_key']).toBe('traceID');
    for (const name of ['gateway.yaml', 'single.yaml'] as const) {
      const config = parse(files[name]) as Yaml;
      expect(config['service']['pipelines']['logs'], name).toEqual({
        receivers: ['otlp'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlp_grpc/logs'],
      });
      // Logs have their own OTLP exporter and endpoint: many trace stores refuse logs.
      expect(config['exporters']['otlp_grpc/logs']['endpoint']).toBe(
        '${env:PLUMBLINE_LOG_BACKEND_ENDPOINT:-log-backend:4317}',
      );
      expect(config['service']['pipelines']['traces/sampled']['exporters']).toEqual([
        'otlp_grpc/backend',
        'debug',
      ]);
    }
  });

  it('with the file backend writes log records to a file of their own, so trace files hold spans only', () => {
    const files = generateCollectorConfigs(collectorSpec, { traceBackend: 'file' });
    for (const name of ['gateway.yaml', 'single.yaml'] as const) {
      const config = parse(files[name]) as Yaml;
      expect(config['exporters']['file']['path']).toBe(
        '${env:PLUMBLINE_TRACE_FILE:-/var/lib/plumbline/traces.jsonl}',
      );
      expect(config['exporters']['file/logs']['path']).toBe(
        '${env:PLUMBLINE_LOG_FILE:-/var/lib/plumbline/logs.jsonl}',
      );
      expect(config['service']['pipelines']['logs']['exporters']).toEqual(['file/logs']);
      const pipelinesWithTraceFile = Object.entries(config['service']['pipelines'] as Yaml)
        .filter(([, pipeline]) => (pipeline['exporters'] as string[]).includes('file'))
        .map(([id]) => id);
      expect(pipelinesWithTraceFile, name).toEqual(['traces/sampled']);
    }
  });

  it('serves the apps’ OTLP metrics on an OpenMetrics endpoint of the agent (and single), not through the gateways', () => {
    const files = generateCollectorConfigs(collectorSpec);
    for (const name of ['agent.yaml', 'single.yaml'] as const) {
      const config = parse(files[name]) as Yaml;
      expect(config['service']['pipelines']['metrics'], name).toEqual({
        receivers: ['otlp'],
        processors: ['memory_limiter'],
        exporters: ['prometheus/app'],
      });
      expect(config['exporters']['prometheus/app']).toEqual({
        // Not 9464, the service's own /metrics beside which the agent runs.
        endpoint: '${env:PLUMBLINE_APP_METRICS_ENDPOINT:-0.0.0.0:8890}',
        // Exemplars exist only in the OpenMetrics exposition.
        enable_open_metrics: true,
        without_scope_info: true,
      });
    }
    const gateway = parse(files['gateway.yaml']) as Yaml;
    expect(gateway['service']['pipelines']['metrics']).toBeUndefined();
    expect(gateway['exporters']['prometheus/app']).toBeUndefined();
  });

  it('heads each file with the options it depends on: single.yaml names no gateway count, resolver or TLS', () => {
    const files = generateCollectorConfigs(collectorSpec, { gatewayCount: 3, resolver: 'dns' });
    const optionsLine = (text: string) => text.split('\n').find((line) => line.startsWith('# Options:'));
    expect(optionsLine(files['agent.yaml'])).toBe('# Options: resolver=dns tls=true');
    expect(optionsLine(files['gateway.yaml'])).toBe(
      '# Options: gatewayCount=3 spansPerTrace=10 tls=true traceBackend=otlp',
    );
    const single = optionsLine(files['single.yaml']);
    expect(single).toMatch(/^# Options: spansPerTrace=10 traceBackend=otlp \(one collector/);
    expect(single).not.toMatch(/gatewayCount=|resolver=|tls=/);
    // ...which agrees with what the file says of its budget.
    expect(files['single.yaml']).toContain('(gatewayCount = 1)');
    expect(files['single.yaml']).toContain('spans/trace / 1 gateways');
  });

  it('rejects an agent queue smaller than the agent batch (a larger batch is refused whole), naming the option', () => {
    expect(() => generateCollectorConfigs(collectorSpec, { agentQueueSpans: 50 })).toThrow(
      /options\.agentQueueSpans: expected at least 2048 \(the agent batch's send_batch_max_size/,
    );
    expect(() => generateCollectorConfigs(collectorSpec, { agentQueueSpans: 2047 })).toThrow(SpecError);
    const agent = parse(
      generateCollectorConfigs(collectorSpec, { agentQueueSpans: 2048 })['agent.yaml'],
    ) as Yaml;
    expect(agent['processors']['batch']['send_batch_max_size']).toBe(2048);
    expect(agent['exporters']['load_balancing']['protocol']['otlp']['sending_queue']['queue_size']).toBe(
      '${env:PLUMBLINE_AGENT_QUEUE_SPANS:-2048}',
    );
    // ...and the YAML says the same to whoever sets the environment variable.
    expect(generateCollectorConfigs(collectorSpec)['agent.yaml']).toContain(
      '# PLUMBLINE_AGENT_QUEUE_SPANS must be at least 2048',
    );
  });

  it('routes by trace ID with a static list or a DNS name from the environment', () => {
    const staticAgent = (parse(generateCollectorConfigs(collectorSpec)['agent.yaml']) as Yaml)['exporters'][
      'load_balancing'
    ];
    expect(staticAgent['routing_key']).toBe('traceID');
    expect(staticAgent['resolver']).toEqual({
      static: { hostnames: '${env:PLUMBLINE_GATEWAY_ENDPOINTS:-[gateway-1:4317,gateway-2:4317]}' },
    });
    const dnsAgent = (
      parse(generateCollectorConfigs(collectorSpec, { resolver: 'dns' })['agent.yaml']) as Yaml
    )['exporters']['load_balancing'];
    expect(dnsAgent['resolver']['dns']['hostname']).toBe(
      '${env:PLUMBLINE_GATEWAY_DNS_NAME:-otelcol-gateway}',
    );
  });

  it('says in a YAML comment what the processor cannot express', () => {
    const gateway = generateCollectorConfigs({
      ...collectorSpec,
      sampling: { policies: [{ name: 'fair', kind: 'budget', tracesPerSecond: 5, key: 'tenant' }] },
    })['gateway.yaml'];
    expect(gateway).toMatch(/# - fair: per-tenant fairness without weights is not expressible/);
    expect(gateway).toMatch(/# - fair: 5 traces\/s across the tier = 25 spans\/s per gateway/);
  });

  it('rejects bad options with an error naming the option', () => {
    expect(() => generateCollectorConfigs(collectorSpec, { gatewayCount: 0 })).toThrow(SpecError);
    expect(() => generateCollectorConfigs(collectorSpec, { gatewayCount: 0 })).toThrow(
      /options\.gatewayCount: expected an integer >= 1, got 0/,
    );
    expect(() => generateCollectorConfigs(collectorSpec, { resolver: 'k8s' as 'dns' })).toThrow(
      /options\.resolver/,
    );
  });

  it('keeps everything when the spec has no sampling section, and says so', () => {
    const { policies, notes } = tailSamplingPlan(undefined, 2, 10);
    expect(policies).toEqual([{ name: 'keep-all', type: 'always_sample' }]);
    expect(notes[0]).toMatch(/every trace is kept/);
  });
});

describe('splitBudget', () => {
  it('splits traces/s across gateways in spans/s, rounding up, with a burst that admits the largest trace', () => {
    expect(splitBudget('b', 10, 2, 10, undefined)).toMatchObject({
      spansPerSecondPerGateway: 50,
      burstSpans: 100,
    });
    expect(splitBudget('b', 1, 3, 10, 500)).toMatchObject({ spansPerSecondPerGateway: 4, burstSpans: 500 });
    expect(splitBudget('b', 0.01, 8, 1, undefined)).toMatchObject({
      spansPerSecondPerGateway: 1,
      burstSpans: 2,
    });
  });
});

describe('plumbline generate collector', () => {
  it('writes the three configs and the builder config, --check passes on them, then fails with the file named after an edit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-collector-'));
    try {
      const write = captureIo();
      expect(await main(['generate', 'collector', '--spec', BLUEPRINT, '--out', dir], write.io)).toBe(0);
      expect(write.out()).toContain('gateway.yaml');
      expect(write.out()).toContain('builder-config.yaml');
      const check = captureIo();
      expect(
        await main(['generate', 'collector', '--spec', BLUEPRINT, '--out', dir, '--check'], check.io),
      ).toBe(0);
      // A hand edit, to a config or to the builder config, fails the check naming the edited file.
      for (const edited of ['gateway.yaml', 'builder-config.yaml']) {
        await writeFile(join(dir, edited), '# edited by hand\n', { flag: 'a' });
        const drift = captureIo();
        expect(
          await main(['generate', 'collector', '--spec', BLUEPRINT, '--out', dir, '--check'], drift.io),
        ).toBe(1);
        expect(drift.err()).toContain(`${edited}: differs`);
        expect(drift.err()).not.toContain('agent.yaml');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--check passes on the committed collector/ directory', async () => {
    const io = captureIo();
    expect(
      await main(['generate', 'collector', '--spec', BLUEPRINT, '--out', 'collector', '--check'], io.io),
    ).toBe(0);
  });

  it('fails with a usage message on an unknown target or option', async () => {
    const target = captureIo();
    expect(await main(['generate', 'nope', '--spec', BLUEPRINT], target.io)).toBe(2);
    expect(target.err()).toContain('unknown target "nope"');
    const option = captureIo();
    expect(await main(['generate', 'collector', '--spec', BLUEPRINT, '--bogus'], option.io)).toBe(2);
    expect(option.err()).toContain('unknown option --bogus');
  });
});

describe('the builder config', () => {
  it('is the same for every spec and option, and is the committed collector/builder-config.yaml', async () => {
    const builder = generateCollectorConfigs(collectorSpec)['builder-config.yaml'];
    expect(
      generateCollectorConfigs({ ...collectorSpec, sampling: undefined }, { traceBackend: 'file' })[
        'builder-config.yaml'
      ],
    ).toBe(builder);
    // Byte for byte: scripts/build-collector.sh keys the cached binary by the file's hash.
    expect(await readFile('collector/builder-config.yaml', 'utf8')).toBe(builder);
  });

  it('every component a generated config uses is in it (the generator refuses to write one that is not)', () => {
    const modules = parse(generateCollectorConfigs(collectorSpec)['builder-config.yaml']) as Record<
      string,
      unknown
    >;
    for (const variant of [
      generateCollectorConfigs(collectorSpec),
      generateCollectorConfigs(collectorSpec, { resolver: 'dns', tls: false, traceBackend: 'file' }),
    ]) {
      for (const name of ['agent.yaml', 'gateway.yaml', 'single.yaml'] as const) {
        expect(
          componentsMissingFromDistribution({
            role: 'agent',
            summary: '',
            comments: [],
            config: parse(variant[name]),
          }),
        ).toEqual([]);
      }
    }
    expect(Object.keys(modules)).toEqual([
      'dist',
      'receivers',
      'processors',
      'exporters',
      'connectors',
      'extensions',
      'replaces',
    ]);
    expect(
      componentsMissingFromDistribution({
        role: 'agent',
        summary: '',
        comments: [],
        config: { exporters: { 'kafka/out': {} } },
      }),
    ).toEqual(['exporters/kafka']);
  });
});

describe('tailSamplingPlan edge cases', () => {
  it('dryRun keeps every trace first and says so', () => {
    const plan = tailSamplingPlan({ dryRun: true, policies: [{ name: 'errors', kind: 'errors' }] }, 2, 10);
    expect(plan.policies[0]).toEqual({ name: 'dry-run', type: 'always_sample' });
    expect(plan.notes.some((note) => note.startsWith('dryRun:'))).toBe(true);
  });

  it('reads the section with its defaults: maxSpansPerTrace unset bounds the burst at 1000', () => {
    const budget = { name: 'b', kind: 'budget', tracesPerSecond: 1 } as const;
    const plan = tailSamplingPlan({ policies: [budget] }, 2, 10);
    expect(plan.budgets[0]).toMatchObject({ spansPerSecondPerGateway: 5, burstSpans: 1000 });
    expect(plan).toEqual(tailSamplingPlan({ maxSpansPerTrace: 1000, policies: [budget] }, 2, 10));
  });

  it('a latency policy without routes is one latency policy one ms under the spec threshold', () => {
    const plan = tailSamplingPlan({ policies: [{ name: 'slow', kind: 'latency', thresholdMs: 250 }] }, 2, 10);
    // After the implicit exemplar rule, which the spec does not list (as in-process).
    expect(plan.policies).toEqual([
      {
        name: 'exemplar',
        type: 'boolean_attribute',
        boolean_attribute: { key: 'plumbline.exemplar', value: true },
      },
      { name: 'slow', type: 'latency', latency: { threshold_ms: 249 } },
    ]);
  });
});
