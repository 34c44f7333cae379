// The pipeline alert rules: committed file matches the generator, promtool accepts it, and the
// committed promtool unit tests make every alert fire on a fault and stay quiet on healthy data.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PIPELINE_RULES_FILE,
  pipelineAlertRules,
  renderPipelineAlerts,
  writePipelineAlerts,
} from '../../src/generate/rules/pipeline-alerts.js';
import { peerBinary } from '../support/peers.js';

const PROMTOOL = peerBinary('promtool');
const RULES = join('alerts', PIPELINE_RULES_FILE);
const RULE_TESTS = join('alerts', 'pipeline.rules.test.yaml');

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  if (result.error)
    throw new Error(
      `${PROMTOOL} did not run (bash scripts/peer.sh promtool builds it): ${result.error.message}`,
    );
  return { status: result.status, output: result.stdout + result.stderr };
}

interface RuleTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

describe('pipeline alert rules', () => {
  it('match the committed alerts/pipeline.rules.yaml (no drift)', async () => {
    expect(await readFile(RULES, 'utf8'), `${RULES} is stale: regenerate it`).toBe(renderPipelineAlerts());
  });

  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', RULES);
    expect(output).toContain(`SUCCESS: ${pipelineAlertRules().length} rules found`);
    expect(status).toBe(0);
  });

  it('pass the promtool unit tests', () => {
    const { status, output } = promtool('test', 'rules', RULE_TESTS);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('have their firing and their quiet case in the unit tests, for every alert', async () => {
    const tests = parse(await readFile(RULE_TESTS, 'utf8')) as RuleTests;
    expect(tests.rule_files).toEqual([PIPELINE_RULES_FILE]);
    const cases = tests.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const rule of pipelineAlertRules()) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} firing case`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} quiet case`,
      ).toBe(true);
    }
  });

  it('carry severity, summary, description and a runbook URL into docs/invariants.md', () => {
    const rules = pipelineAlertRules();
    expect(rules.map((r) => r.alert)).toEqual([
      'PlumblineCollectorExporterFailingSpans',
      'PlumblineCollectorExporterFailingLogRecords',
      'PlumblineCollectorSendingQueueNearCapacity',
      'PlumblineCollectorRefusingSpans',
      'PlumblineLogSchemaViolationSpike',
      'PlumblineScrapeTargetDown',
    ]);
    for (const rule of rules) {
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
      // Relative by default: the doc `plumbline generate docs` writes, not a repository of ours.
      expect(rule.annotations.runbook_url).toMatch(/^docs\/invariants\.md#[a-z-]+$/);
    }
  });

  it('follow the options: runbook base, scrape jobs, thresholds', () => {
    const rules = pipelineAlertRules({
      runbookBaseUrl: 'https://runbooks.example.com/plumbline/',
      scrapeJobs: ['blueprint', 'otel.col'],
      queueFillRatio: 0.5,
      schemaViolationsPer10m: 3,
    });
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('PlumblineScrapeTargetDown')!.expr).toBe('up{job=~"blueprint|otel\\\\.col"} == 0');
    expect(byName.get('PlumblineCollectorSendingQueueNearCapacity')!.expr).toMatch(/> 0\.5$/);
    expect(byName.get('PlumblineLogSchemaViolationSpike')!.expr).toMatch(/> 3$/);
    expect(byName.get('PlumblineScrapeTargetDown')!.annotations.runbook_url).toBe(
      'https://runbooks.example.com/plumbline/docs/invariants.md#scrape-target-down',
    );
  });

  it('reject bad options with the field named', () => {
    expect(() => pipelineAlertRules({ runbookBaseUrl: 'https://x.example/no-slash' })).toThrow(
      /option runbookBaseUrl/,
    );
    expect(() => pipelineAlertRules({ queueFillRatio: 1.5 })).toThrow(/option queueFillRatio/);
    expect(() => pipelineAlertRules({ exporterFailureRatio: 0 })).toThrow(/option exporterFailureRatio/);
    expect(() => pipelineAlertRules({ schemaViolationsPer10m: -1 })).toThrow(/option schemaViolationsPer10m/);
    expect(() => pipelineAlertRules({ scrapeJobs: [''] })).toThrow(/option scrapeJobs/);
  });

  it('writePipelineAlerts writes the rendered file and returns its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-alerts-'));
    try {
      expect(await writePipelineAlerts(dir)).toEqual([join(dir, PIPELINE_RULES_FILE)]);
      expect(await readFile(join(dir, PIPELINE_RULES_FILE), 'utf8')).toBe(renderPipelineAlerts());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
