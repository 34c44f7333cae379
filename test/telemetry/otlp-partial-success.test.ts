// countPartialSuccess reads OTel's OTLP exporters' answers through a part that is not public API:
// an exporter without it is left as it is, and a handler whose counting fails still warns.
import { describe, expect, it } from 'vitest';
import { countPartialSuccess } from '../../src/telemetry/otlp-partial-success.js';

describe('countPartialSuccess', () => {
  it('leaves an exporter without a response handler as it is, and says it counts nothing', () => {
    const counted: number[] = [];
    const exporter = { export() {}, shutdown: () => Promise.resolve() };
    const before = { ...exporter };
    expect(countPartialSuccess(exporter, 'rejectedSpans', { add: (value) => counted.push(value) })).toBe(
      false,
    );
    expect(exporter).toEqual(before);
    expect(countPartialSuccess({ _delegate: {} }, 'rejectedSpans', { add: () => {} })).toBe(false);
  });

  it("counts the field of each answer's partial success and still hands the answer to OTel's handler", () => {
    const seen: unknown[] = [];
    const counted: number[] = [];
    const delegate = { _responseHandler: { handleResponse: (response: unknown) => seen.push(response) } };
    const exporter = { _delegate: delegate };
    expect(countPartialSuccess(exporter, 'rejectedLogRecords', { add: (value) => counted.push(value) })).toBe(
      true,
    );
    const answers = [
      { partialSuccess: { rejectedLogRecords: '4' } },
      { partialSuccess: { rejectedLogRecords: 2, rejectedSpans: 9 } },
      { partialSuccess: { rejectedLogRecords: 'many' } },
      {},
      null,
    ];
    for (const answer of answers) delegate._responseHandler.handleResponse(answer);
    expect(counted).toEqual([4, 2]);
    expect(seen).toEqual(answers);
  });

  it("a counter that throws does not keep the answer from OTel's handler", () => {
    const seen: unknown[] = [];
    const delegate = { _responseHandler: { handleResponse: (response: unknown) => seen.push(response) } };
    countPartialSuccess({ _delegate: delegate }, 'rejectedSpans', {
      add: () => {
        throw new Error('broken counter');
      },
    });
    expect(() =>
      delegate._responseHandler.handleResponse({ partialSuccess: { rejectedSpans: '1' } }),
    ).not.toThrow();
    expect(seen).toHaveLength(1);
  });
});
