// Regression: the OTLP receiver of `check live` bounded a request's bytes on the wire but then
// inflated a gzip (or deflate) body whole before looking at its size: 32 MiB of gzip is some 32
// GiB of zeros, all allocated before the "larger than … once decompressed" refusal, or a crash
// first. Inflating now stops at the bound (32 MiB by default, `maxOtlpBodyBytes`): the request
// is refused with 413 and reported as input-failed. Real parts: the check's receiver on
// 127.0.0.1, POSTed to over HTTP with a real gzip body, as an exporter sends one.
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { checkSpec } from '../check/check-spec.js';

/** A valid, empty OTLP/JSON traces request padded with whitespace to `bytes` once inflated. */
function gzipBomb(bytes: number): Buffer {
  const open = Buffer.from('{"resourceSpans":[]');
  return gzipSync(Buffer.concat([open, Buffer.alloc(bytes - open.length - 1, ' '), Buffer.from('}')]));
}

it('a gzip OTLP body is inflated no further than the bound, and refused past it', async () => {
  const bound = 1024 * 1024;
  const check = await startLiveCheck({ spec: checkSpec, otlpListen: '127.0.0.1:0', maxOtlpBodyBytes: bound });
  const post = (body: Buffer) =>
    fetch(`${check.otlpEndpoint!}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
  const bomb = gzipBomb(16 * bound);
  expect(bomb.length).toBeLessThan(bound / 8); // small on the wire
  const refused = await post(bomb);
  const answer = await refused.text();
  // Under the bound, the same request is taken.
  const taken = await post(gzipBomb(bound / 2));
  await taken.text();
  const report = await check.finish();

  expect([refused.status, answer]).toEqual([413, `body larger than ${bound} bytes once decompressed`]);
  expect(taken.status).toBe(200);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} ${d.count}: ${d.detail}`)).toEqual([
    `input-failed otlp traces 1: body larger than ${bound} bytes once decompressed`,
  ]);
  expect(report.observed.otlpRequests).toBe(2);
});
