// Regression (rules review): PlumblineCollectorSendingQueueNearCapacity's description wrote the
// queueFillRatio option as `ratio * 100` in JavaScript floats: 0.29 read "above
// 28.999999999999996% of its capacity", 0.07 "7.000000000000001%", 0.333 "33.300000000000004%"
// (promtool below prints it as Prometheus sends it). Now 29%, 7%, 33.3%.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { stringify } from 'yaml';
import { renderPipelineAlerts } from '../../src/generate/rules/index.js';
import { peerBinary } from '../support/peers.js';

const exec = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-queue-percent-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('queue alert percent with float dust (regression)', () => {
  for (const [ratio, printed] of [
    [0.29, '29'],
    [0.07, '7'],
    [0.333, '33.3'],
  ] as const)
    it(`queueFillRatio ${ratio} fires in promtool with "above ${printed}%"`, async () => {
      await writeFile(join(dir, 'pipeline.rules.yaml'), renderPipelineAlerts({ queueFillRatio: ratio }));
      const labels = 'exporter="otlp",instance="gw:8888",job="collector"';
      const test = {
        rule_files: ['pipeline.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              { series: `otelcol_exporter_queue_size{${labels}}`, values: '50x10' },
              { series: `otelcol_exporter_queue_capacity{${labels}}`, values: '100x10' },
            ],
            alert_rule_test: [
              {
                eval_time: '10m',
                alertname: 'PlumblineCollectorSendingQueueNearCapacity',
                exp_alerts: [
                  {
                    exp_labels: {
                      severity: 'ticket',
                      exporter: 'otlp',
                      instance: 'gw:8888',
                      job: 'collector',
                    },
                    exp_annotations: {
                      summary: 'Collector sending queue of otlp is 50% full',
                      description: `The sending queue of exporter otlp on gw:8888 has been above ${printed}% of its capacity for 5m; when it is full new data is dropped (enqueue_failed).`,
                      runbook_url: 'docs/invariants.md#collector-sending-queue-full',
                    },
                  },
                ],
              },
            ],
          },
        ],
      };
      await writeFile(join(dir, 'pipeline.test.yaml'), stringify(test));
      await exec(peerBinary('promtool'), ['test', 'rules', 'pipeline.test.yaml'], { cwd: dir });
    }, 60_000);
});
