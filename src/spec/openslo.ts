// OpenSLO v1 input: `kind: SLO` documents whose indicator reads plumbline instruments are mapped
// to the spec's SloSpec; whatever plumbline cannot express is refused with the field named.
//
// The metric source names a spec instrument, since the SLI must read the service's own series:
//   metricSource: { type: plumbline, spec: { metric: http.server.requests, where: {...}, bad: {...} } }

import { parseAllDocuments } from 'yaml';
import type { AttributeMatch, SloSpec, SloWindow } from './types.js';

const WINDOWS: readonly string[] = ['30d', '28d', '7d'];

export class OpenSloError extends Error {
  constructor(path: string, message: string) {
    super(`OpenSLO ${path}: ${message}`);
    this.name = 'OpenSloError';
  }
}

type Node = Record<string, unknown>;

export function fromOpenSlo(yamlText: string): Record<string, SloSpec> {
  const slos: Record<string, SloSpec> = {};
  parseAllDocuments(yamlText).forEach((document, index) => {
    if (document.errors.length > 0)
      throw new OpenSloError(`document ${index}`, `not valid YAML: ${document.errors[0]!.message}`);
    const doc = document.toJS() as Node | null;
    if (doc === null || doc.kind !== 'SLO') return;
    if (doc.apiVersion !== 'openslo/v1')
      throw new OpenSloError(
        `document ${index}.apiVersion`,
        `expected openslo/v1, got ${JSON.stringify(doc.apiVersion)}`,
      );
    const name = str((doc.metadata as Node | undefined)?.name, `document ${index}.metadata.name`);
    slos[name] = sloFrom(name, obj(doc.spec, `${name}.spec`));
  });
  return slos;
}

function sloFrom(name: string, spec: Node): SloSpec {
  const at = `${name}.spec`;
  if (spec.indicatorRef !== undefined)
    throw new OpenSloError(`${at}.indicatorRef`, 'references are not resolved; inline the indicator');
  if (spec.budgetingMethod !== undefined && spec.budgetingMethod !== 'Occurrences') {
    throw new OpenSloError(
      `${at}.budgetingMethod`,
      `only Occurrences is supported, got ${JSON.stringify(spec.budgetingMethod)}`,
    );
  }
  const window = windowFrom(spec.timeWindow, `${at}.timeWindow`);
  const objectives = spec.objectives;
  if (!Array.isArray(objectives) || objectives.length !== 1)
    throw new OpenSloError(`${at}.objectives`, 'expected exactly one objective');
  const objective = obj(objectives[0], `${at}.objectives[0]`);
  const target =
    typeof objective.targetPercent === 'number'
      ? objective.targetPercent
      : typeof objective.target === 'number'
        ? objective.target * 100
        : undefined;
  if (target === undefined)
    throw new OpenSloError(`${at}.objectives[0]`, 'expected target (0..1) or targetPercent');
  const indicator = obj(obj(spec.indicator, `${at}.indicator`).spec, `${at}.indicator.spec`);
  const description =
    typeof spec.description === 'string' && spec.description !== '' ? spec.description : name;
  const base = {
    description,
    objective: Number(target.toPrecision(12)),
    ...(window === undefined ? {} : { window }),
  };
  if (indicator.ratioMetric !== undefined) {
    const ratio = obj(indicator.ratioMetric, `${at}.indicator.spec.ratioMetric`);
    if (ratio.good !== undefined) {
      throw new OpenSloError(
        `${at}.indicator.spec.ratioMetric.good`,
        'plumbline counts bad events; state the ratio with bad and total',
      );
    }
    const total = source(ratio.total, `${at}.indicator.spec.ratioMetric.total`);
    const bad = source(ratio.bad, `${at}.indicator.spec.ratioMetric.bad`);
    if (bad.metric !== total.metric)
      throw new OpenSloError(
        `${at}.indicator.spec.ratioMetric.bad`,
        'bad and total must read the same instrument',
      );
    if (bad.bad === undefined)
      throw new OpenSloError(
        `${at}.indicator.spec.ratioMetric.bad.metricSource.spec.bad`,
        'expected the attribute match of bad events',
      );
    return {
      ...base,
      sli: {
        kind: 'availability',
        metric: total.metric,
        bad: bad.bad,
        ...(total.where === undefined ? {} : { where: total.where }),
      },
    };
  }
  if (indicator.thresholdMetric !== undefined) {
    const threshold = source(indicator.thresholdMetric, `${at}.indicator.spec.thresholdMetric`);
    // Good events are those at or under the threshold: a histogram's `le` bucket (and the
    // in-process engine) counts `value <= threshold`. `lt` (strictly under) differs exactly at
    // the bound, where values of a whole-number unit (integer milliseconds) pile up, and no `le`
    // bucket can tell it; read as `lte` it would count those requests good.
    if (objective.op === 'lt') {
      throw new OpenSloError(
        `${at}.objectives[0].op`,
        'lt (strictly under the threshold) cannot be read from Prometheus le buckets, which count values at the threshold too: use op: lte (in a whole-number unit such as integer milliseconds, op: lt, value: 250 is op: lte, value: 249)',
      );
    }
    if (objective.op !== 'lte') {
      throw new OpenSloError(
        `${at}.objectives[0].op`,
        `a latency SLI counts requests at or under the threshold: expected lte, got ${JSON.stringify(objective.op)}`,
      );
    }
    if (typeof objective.value !== 'number')
      throw new OpenSloError(`${at}.objectives[0].value`, 'expected the threshold as a number');
    return {
      ...base,
      sli: {
        kind: 'latency',
        histogram: threshold.metric,
        threshold: objective.value,
        ...(threshold.where === undefined ? {} : { where: threshold.where }),
      },
    };
  }
  throw new OpenSloError(`${at}.indicator.spec`, 'expected ratioMetric or thresholdMetric');
}

function windowFrom(value: unknown, at: string): SloWindow | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== 1) throw new OpenSloError(at, 'expected one time window');
  const window = obj(value[0], `${at}[0]`);
  if (window.isRolling !== true)
    throw new OpenSloError(`${at}[0].isRolling`, 'only rolling windows are supported');
  if (typeof window.duration !== 'string' || !WINDOWS.includes(window.duration)) {
    throw new OpenSloError(
      `${at}[0].duration`,
      `expected one of ${WINDOWS.join(', ')}, got ${JSON.stringify(window.duration)}`,
    );
  }
  return window.duration as SloWindow;
}

function source(
  value: unknown,
  at: string,
): { metric: string; where?: AttributeMatch; bad?: AttributeMatch } {
  const metricSource = obj(obj(value, at).metricSource, `${at}.metricSource`);
  if (metricSource.type !== 'plumbline') {
    throw new OpenSloError(
      `${at}.metricSource.type`,
      `expected "plumbline" (a spec instrument), got ${JSON.stringify(metricSource.type)}; free-form queries cannot be checked against the spec`,
    );
  }
  const spec = obj(metricSource.spec, `${at}.metricSource.spec`);
  return {
    metric: str(spec.metric, `${at}.metricSource.spec.metric`),
    ...(spec.where === undefined ? {} : { where: spec.where as AttributeMatch }),
    ...(spec.bad === undefined ? {} : { bad: spec.bad as AttributeMatch }),
  };
}

function obj(value: unknown, at: string): Node {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OpenSloError(at, 'expected an object');
  return value as Node;
}

function str(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') throw new OpenSloError(at, 'expected a non-empty string');
  return value;
}
