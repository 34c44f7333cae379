// What an instrument's overflow series keep of a measurement's attributes: the ones the spec's
// SLIs read on it (an availability SLI's `bad` and `where`, a latency SLI's `where`), so the
// generated rules count overflowed events as the in-process SLO engine does.
import type { SloModel } from '../slo/model.js';
import type { AttributeMatch } from '../spec/types.js';
import { isPattern, valueMatcher } from '../spec/value-match.js';
import type { OverflowSplit } from './series-table.js';

/**
 * Most overflow series of one instrument beside the plain one. Literal match values need at most
 * the product of (listed values + 1) over the attributes read, minus the plain one: far fewer in
 * any spec seen so far; patterns, or a listed "", can ask for any number, and stop here.
 */
export const MAX_OVERFLOW_SPLIT_SERIES = 64;

export interface OverflowSplits {
  readonly counters: ReadonlyMap<string, Omit<OverflowSplit, 'onFolded'>>;
  readonly histograms: ReadonlyMap<string, Omit<OverflowSplit, 'onFolded'>>;
}

/**
 * Per instrument, the attributes its SLIs read and the values they select. A value no SLI selects
 * is left out (absent): every match reads it as it reads the real value, since no match selects
 * "" then. When some match selects "", an absent value is selected, so every value is kept.
 */
export function overflowSplits(slos: readonly SloModel[]): OverflowSplits {
  const read = {
    counters: new Map<string, Map<string, string[]>>(),
    histograms: new Map<string, Map<string, string[]>>(),
  };
  const add = (kind: keyof typeof read, instrument: string, match: AttributeMatch) => {
    let byAttribute = read[kind].get(instrument);
    if (byAttribute === undefined) read[kind].set(instrument, (byAttribute = new Map()));
    for (const [attribute, values] of Object.entries(match)) {
      const all = byAttribute.get(attribute) ?? [];
      byAttribute.set(attribute, [...all, ...values]);
    }
  };
  for (const { sli } of slos) {
    if (sli.kind === 'availability') {
      const kind = sli.instrument === 'counter' ? 'counters' : 'histograms';
      add(kind, sli.metric, sli.bad);
      add(kind, sli.metric, sli.where);
    } else if (sli.kind === 'latency') {
      add('histograms', sli.histogram, sli.where);
    }
  }
  const toSplits = (byInstrument: Map<string, Map<string, string[]>>) => {
    const splits = new Map<string, Omit<OverflowSplit, 'onFolded'>>();
    for (const [instrument, byAttribute] of byInstrument) {
      if (byAttribute.size === 0) continue;
      let combinations = 1;
      const attributes = [...byAttribute].map(([name, values]) => {
        const selects = valueMatcher(values);
        const all = selects('');
        combinations *= all || values.some(isPattern) ? Infinity : new Set(values).size + 1;
        return { name, keeps: all ? () => true : (value: string) => selects(value) };
      });
      splits.set(instrument, {
        attributes,
        maxSeries: Math.min(combinations - 1, MAX_OVERFLOW_SPLIT_SERIES),
      });
    }
    return splits;
  };
  return { counters: toSplits(read.counters), histograms: toSplits(read.histograms) };
}
