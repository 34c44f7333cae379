// An OTLP/HTTP JSON receiver on loopback that answers as a collector's decoder does: 400 to a
// body with values it would refuse (what `refused` lists), 200 with an empty partialSuccess
// otherwise. It keeps every body and every answer.
import { once } from 'node:events';
import { serveOnFreePort } from './stalled-scrape.js';

export interface DecodingReceiver {
  readonly url: string;
  readonly bodies: unknown[];
  readonly answers: number[];
}

export async function startDecodingReceiver(
  refused: (body: unknown) => string[],
  cleanups: (() => unknown)[],
): Promise<DecodingReceiver> {
  const bodies: unknown[] = [];
  const answers: number[] = [];
  const port = await serveOnFreePort(async (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(request, 'end');
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    bodies.push(body);
    const refusals = refused(body);
    answers.push(refusals.length === 0 ? 200 : 400);
    if (refusals.length === 0) response.writeHead(200).end('{"partialSuccess":{}}');
    else response.writeHead(400).end(JSON.stringify({ code: 3, message: refusals.join(', ') }));
  }, cleanups);
  return { url: `http://127.0.0.1:${port}`, bodies, answers };
}
