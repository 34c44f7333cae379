// attributeLabelPairs: an OTel instrument's attributes as one label block with no label name
// written twice (the OTel spec's merge of keys that sanitize alike), for the meter provider's
// instruments that no spec check has seen.
import { describe, expect, it } from 'vitest';
import { attributeLabelPairs } from '../../src/metrics/exposition.js';

describe('attributeLabelPairs', () => {
  it('writes each key as its label, in sorted key order, values escaped', () => {
    expect(attributeLabelPairs({ route: '/a"b', code: 200, ok: true })).toBe(
      'code="200",ok="true",route="/a\\"b"',
    );
    expect(attributeLabelPairs({})).toBe('');
  });

  it('joins the values of keys that sanitize to one label with ";", in the order of the keys', () => {
    // 'a-b' < 'a.b' < 'a_b': '-' and '.' sort before '_'.
    expect(attributeLabelPairs({ a_b: 'z', 'a.b': 'y', 'a-b': 'x', q: 'mail' })).toBe('a_b="x;y;z",q="mail"');
    expect(attributeLabelPairs({ 'http.route': '/a', http_route: '/b' })).toBe('http_route="/a;/b"');
  });
});
