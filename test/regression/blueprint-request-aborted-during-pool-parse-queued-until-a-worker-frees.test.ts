// Regression: a request whose signal aborted while its body was parsed on the parse pool (its
// client left, or its deadline passed) was offered to the scheduler all the same. The scheduler
// listened for 'abort' on a signal that had already aborted, so the job waited in the queue with
// its weight and its admission ticket until a worker took it, and only then was answered: 499
// for a client gone, 503 `timeout` (an availability error) for a deadline passed, where a job
// whose deadline passes while it waits is shed (503 shed_deadline, not an error). With the one
// enrichment worker held by a slow lookup, a client that sent a 512 KiB body and hung up was
// not answered until the lookup ended. A job already aborted is now cancelled when offered.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwoClassScheduler, type SchedulerJob } from '../../examples/blueprint/scheduler.js';
import { hostPort } from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-aborted-during-parse-token-0123456789';
/** The blocker's lookups take this long (the enrichment budget ends them first, at BUDGET_MS). */
const DEPENDENCY_MS = 60_000;
const BUDGET_MS = 50_000;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-aborted-during-parse-', TOKEN, {
    tables: {
      ingress: { timeout_ms: 55_000 },
      enrichment: { budget_ms: BUDGET_MS, concurrency: 1 },
    },
  });
  for (const dep of blueprint.deps) dep.setFaults({ latencyMs: DEPENDENCY_MS, jitterMs: 0 });
});

afterAll(async () => {
  // Closing the dependencies ends the blocker's lookups (degraded), so the drain does not wait.
  await Promise.all(blueprint?.deps.map((dep) => dep.close()) ?? []);
  await blueprint?.stop();
});

function head(bytes: number): string {
  return (
    `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
    `content-type: application/json\r\ncontent-length: ${bytes}\r\n\r\n`
  );
}

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`waited ${ms} ms for ${what}`);
}

/** The sum of the /metrics series whose line starts with `prefix` and holds every one of `labels`. */
async function counted(prefix: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`${blueprint.service.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('regression: a request aborted during its pool parse waits in the queue until a worker frees', () => {
  it('drops a request whose client left during the parse at once (499), its place given back', async () => {
    // The one enrichment worker is held by a request whose lookups take DEPENDENCY_MS.
    const blockerBody = JSON.stringify({ type: 'blocker.held' });
    const blocker = connect(hostPort(blueprint.service.url));
    blocker.on('error', () => undefined);
    blocker.write(head(blockerBody.length) + blockerBody);
    await until(
      'the blocker to hold the worker',
      () =>
        blueprint.service.health().inFlight.current === 1 &&
        blueprint.service.health().queues.every((queue) => queue.depth === 0),
    );

    // A body large enough for the parse pool, sent whole, and the client hangs up at once: the
    // server notices while the body is parsed on a worker thread.
    const parsedBefore = blueprint.service.stats.parsePool.parsed;
    const events = Array.from({ length: 100 }, (_, i) => ({
      type: 'gone.during_parse',
      id: `g-${i}`,
      payload: { pad: 'p'.repeat(5_000) },
    }));
    const body = JSON.stringify(events);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const client = connect(hostPort(blueprint.service.url));
    client.on('error', () => undefined);
    client.end(head(body.length) + body);
    await until('the body to be parsed', () => blueprint.service.stats.parsePool.parsed > parsedBefore);

    // Answered as gone while the blocker still holds the worker, not when it lets go.
    await until(
      'the request to be counted 499 client_closed, or the blocker to end',
      async () =>
        (await counted('http_server_request_duration_seconds_count{', 'http_response_status_code="499"')) ===
          1 || blueprint.deps.some((dep) => dep.served.ok > 0),
      20_000,
    ).catch(() => undefined);
    expect({
      clientClosed: await counted(
        'http_server_request_duration_seconds_count{',
        'http_response_status_code="499"',
      ),
      lookupsAnswered: blueprint.deps.reduce((sum, dep) => sum + dep.served.ok, 0),
      inFlight: blueprint.service.health().inFlight.current,
      admittedWaiting: blueprint.service.health().queues.reduce((sum, queue) => sum + queue.depth, 0),
      stored: blueprint.service.stats.acceptedRequests,
    }).toEqual({ clientClosed: 1, lookupsAnswered: 0, inFlight: 1, admittedWaiting: 0, stored: 0 });
    blocker.destroy();
  }, 60_000);
});

interface TestJob extends SchedulerJob {
  readonly name: string;
}

describe('regression: the scheduler queues a job whose signal already aborted', () => {
  it('cancels it when offered: never queued, its weight never counted', () => {
    const cancelled: string[] = [];
    const scheduler = new TwoClassScheduler<TestJob>(
      [{ name: 'acme', class: 'latency-sensitive', queueBound: 100 }],
      1,
      // The one worker never finishes: anything offered after the first waits.
      () => new Promise<void>(() => undefined),
      (job) => cancelled.push(job.name),
    );
    expect(
      scheduler.offer('acme', { name: 'running', weight: 1, signal: new AbortController().signal }),
    ).toBe('queued');
    const deadlinePassed = new AbortController();
    deadlinePassed.abort(new Error('deadline passed during the parse'));
    scheduler.offer('acme', { name: 'late', weight: 40, signal: deadlinePassed.signal });
    expect({ cancelled, depths: scheduler.depths() }).toEqual({
      cancelled: ['late'],
      depths: [{ tenant: 'acme', depth: 0, bound: 100 }],
    });
  });
});
