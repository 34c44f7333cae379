import { describe, expect, it } from 'vitest';
import { DecisionCache } from '../../src/sampling/decision-cache.js';
import { hexWord } from '../../src/sampling/trace-id-bits.js';
import { seededIds } from './harness.js';

const words = (id: string): [number, number] => [hexWord(id, id.length), hexWord(id, id.length - 8)];

describe('DecisionCache by words', () => {
  it('a decision recorded from the ID read as words is found by the ID, as keep() and drop() record it', () => {
    const ids = seededIds(9);
    const byWords = new DecisionCache(4, 4);
    const byString = new DecisionCache(4, 4);
    const decision = { policy: 'errors', threshold: '00000000000000' };
    const all: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = ids.generateTraceId();
      all.push(id);
      if (i % 2 === 0) {
        byWords.keepWords(...words(id), decision);
        byString.keep(id, decision);
      } else {
        byWords.dropWords(...words(id));
        byString.drop(id);
      }
    }
    for (const id of [...all, ids.generateTraceId()]) {
      expect(byWords.keptDecision(id)).toBe(byString.keptDecision(id));
      expect(byWords.wasDropped(id)).toBe(byString.wasDropped(id));
    }
    expect(all.filter((id) => byWords.has(id))).toHaveLength(8); // the 4 latest of each kind
  });
});
