// Generates test/fixtures/sampling-corpus.json: synthetic traces with the in-process decision
// for each, shared with the collector's tail_sampling test. `npx tsx scripts/sampling-corpus.ts`
// rewrites it; test/sampling/corpus.test.ts fails when the file drifts from this script.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SamplingSpec } from '../src/spec/types.js';
import type { CorpusSpan, CorpusTrace, SamplingCorpus } from '../src/sampling/decide-corpus-trace.js';
import { decideCorpusTrace } from '../src/sampling/decide-corpus-trace.js';
import { seededHex, seededRandom } from './seeded.js';

export const CORPUS_PATH = fileURLToPath(new URL('../test/fixtures/sampling-corpus.json', import.meta.url));

const SAMPLING: SamplingSpec = {
  decisionWaitMs: 100,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'slow', kind: 'latency', thresholdMs: 500, routes: { '/checkout': 1500, '/health': 50 } },
    { name: 'gold-tenants', kind: 'attribute', key: 'tenant.tier', values: ['gold', 'platinum'] },
    { name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'http.route' },
  ],
};

const DESCRIPTION = [
  'Synthetic traces for comparing keep/drop decisions of the in-process TailSamplingProcessor and the collector tail_sampling config generated from the same `sampling` spec.',
  'Each trace: one service (resource), root span first (no parentSpanId), times as whole-ms offsets from the trace start (root starts at 0 and encloses its children, so root duration = trace duration).',
  "expected.outcome: 'keep' = a rule keeps it (errors: any span with status error, or http.response.status_code / http.status_code in 500-599; slow: root duration >= threshold for the root's http.route, else thresholdMs; gold-tenants: string attribute tenant.tier on any span or on the resource); 'budget' = no rule matches and the probabilistic budget decides (compare only that no rule keeps it).",
].join(' ');

interface Shape {
  readonly description: string;
  readonly route: string;
  readonly rootMs: number;
  readonly rootStatus?: CorpusSpan['status'];
  readonly rootAttributes?: Readonly<Record<string, string | number | boolean>>;
  readonly children?: readonly Partial<CorpusSpan>[];
  readonly resource?: Readonly<Record<string, string>>;
}

const SHAPES: readonly Shape[] = [
  { description: 'fast ok request', route: '/orders', rootMs: 40 },
  { description: 'fast ok checkout', route: '/checkout', rootMs: 120 },
  { description: 'fast health check', route: '/health', rootMs: 5 },
  { description: 'root status error', route: '/orders', rootMs: 30, rootStatus: 'error' },
  {
    description: 'error on a child span only',
    route: '/orders',
    rootMs: 60,
    children: [{ name: 'SELECT orders', status: 'error' }],
  },
  {
    description: 'HTTP 503 on the root (no status set)',
    route: '/orders',
    rootMs: 25,
    rootAttributes: { 'http.response.status_code': 503 },
  },
  {
    description: 'HTTP 404 is not an error',
    route: '/orders',
    rootMs: 25,
    rootAttributes: { 'http.response.status_code': 404 },
  },
  {
    description: 'legacy http.status_code 500 on a client span',
    route: '/checkout',
    rootMs: 200,
    children: [{ name: 'POST payments', kind: 'client', attributes: { 'http.status_code': 500 } }],
  },
  { description: 'slow on the default threshold', route: '/orders', rootMs: 700 },
  { description: 'just under the default threshold', route: '/orders', rootMs: 499 },
  { description: 'exactly the default threshold (>= keeps)', route: '/orders', rootMs: 500 },
  { description: 'slow for the default but under the /checkout threshold', route: '/checkout', rootMs: 1200 },
  { description: 'over the /checkout threshold', route: '/checkout', rootMs: 1600 },
  { description: 'over the /health threshold', route: '/health', rootMs: 60 },
  { description: 'under the /health threshold', route: '/health', rootMs: 40 },
  {
    description: 'gold tenant on a child span',
    route: '/orders',
    rootMs: 30,
    children: [{ name: 'load tenant', attributes: { 'tenant.tier': 'gold' } }],
  },
  {
    description: 'platinum tenant on the root',
    route: '/orders',
    rootMs: 30,
    rootAttributes: { 'tenant.tier': 'platinum' },
  },
  {
    description: 'silver tenant is not kept by rule',
    route: '/orders',
    rootMs: 30,
    rootAttributes: { 'tenant.tier': 'silver' },
  },
  {
    description: 'gold tier as a resource attribute',
    route: '/orders',
    rootMs: 30,
    resource: { 'tenant.tier': 'gold' },
  },
  {
    description: 'slow and erroring: the first policy (errors) names it',
    route: '/orders',
    rootMs: 900,
    children: [{ name: 'call inventory', kind: 'client', status: 'error' }],
  },
];

export function buildCorpus(): SamplingCorpus {
  const hex = seededHex(seededRandom(20_250_101));
  const traces: CorpusTrace[] = [];
  for (let round = 0; round < 5; round++) {
    for (const shape of SHAPES) {
      const traceId = hex(32);
      const rootId = hex(16);
      const spans: CorpusSpan[] = [
        {
          spanId: rootId,
          name: `${shape.route === '/checkout' ? 'POST' : 'GET'} ${shape.route}`,
          kind: 'server',
          startMs: 0,
          durationMs: shape.rootMs,
          status: shape.rootStatus ?? 'unset',
          attributes: {
            'http.route': shape.route,
            'http.request.method': shape.route === '/checkout' ? 'POST' : 'GET',
            ...shape.rootAttributes,
          },
        },
      ];
      (shape.children ?? [{ name: 'work' }]).forEach((child, index) => {
        spans.push({
          spanId: hex(16),
          parentSpanId: rootId,
          name: child.name ?? 'work',
          kind: child.kind ?? 'internal',
          startMs: 1 + index,
          durationMs: Math.max(1, Math.floor(shape.rootMs / 2)),
          status: child.status ?? 'unset',
          attributes: { ...child.attributes },
        });
      });
      const trace = {
        traceId,
        description: shape.description,
        resource: { 'service.name': 'corpus-svc', ...shape.resource },
        spans,
      };
      traces.push({
        ...trace,
        expected: decideCorpusTrace(SAMPLING, { ...trace, expected: { outcome: 'budget', policy: '' } }),
      });
    }
  }
  return { description: DESCRIPTION, sampling: SAMPLING, traces };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CORPUS_PATH, JSON.stringify(buildCorpus(), null, 2) + '\n');
  console.log(`wrote ${CORPUS_PATH}`);
}
