// How long an SLI's match values are as label values: a series' label value is cut to
// labelValueLengthLimit UTF-8 bytes (metrics/series-table.ts), so a longer match value selects no
// series in the rules while the engine could still match it.
import { Buffer } from 'node:buffer';
import { specPath } from '../spec/errors.js';
import type { AttributeMatch } from '../spec/types.js';
import { isPattern } from '../spec/value-match.js';
import type { SloModel } from './model.js';

/** The fewest UTF-8 bytes of a value `value` matches: a literal's own, a pattern's without its stars. */
export function matchValueBytes(value: string): number {
  return Buffer.byteLength(isPattern(value) ? value.replace(/\*/g, '') : value, 'utf8');
}

export interface LongMatchValue {
  /** Where in the spec, e.g. `slos.orders.sli.bad.outcome[0]`. */
  readonly path: string;
  /** Its matchValueBytes. */
  readonly bytes: number;
  /** The instrument the SLI reads. */
  readonly instrument: string;
}

/** The SLI match values longer than `limit` bytes (matchValueBytes), in the spec's order. */
export function matchValuesLongerThan(slos: readonly SloModel[], limit: number): LongMatchValue[] {
  const found: LongMatchValue[] = [];
  const scan = (slo: string, instrument: string, field: 'bad' | 'where', match: AttributeMatch) => {
    for (const [attribute, values] of Object.entries(match))
      values.forEach((value, index) => {
        const bytes = matchValueBytes(value);
        if (bytes > limit)
          found.push({ path: specPath('slos', slo, 'sli', field, attribute, index), bytes, instrument });
      });
  };
  for (const { name, sli } of slos) {
    if (sli.kind === 'availability') {
      scan(name, sli.metric, 'where', sli.where);
      scan(name, sli.metric, 'bad', sli.bad);
    } else if (sli.kind === 'latency') scan(name, sli.histogram, 'where', sli.where);
  }
  return found;
}

/** The issue of a labelValueLengthLimit (createMetrics' or createSloEngine's) shorter than a match value. */
export function longMatchIssue(
  limit: number,
  value: { readonly path: string; readonly bytes: number },
): { path: string; message: string } {
  return {
    path: 'labelValueLengthLimit',
    message: `${limit} bytes is shorter than ${value.path} (${value.bytes} UTF-8 bytes): its series' label would be cut and the rules would never match it`,
  };
}
