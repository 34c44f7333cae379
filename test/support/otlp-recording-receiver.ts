// An OTLP/HTTP JSON receiver on loopback that keeps every post (path, content-encoding, the body
// decoded, gunzipped first when it came gzipped) and answers 200 with an empty JSON object, at once
// or, for the paths given in `holdMs`, that long after the post arrived (a slow collector).
import { createServer, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface RecordedPost {
  readonly path: string;
  readonly contentEncoding: string | undefined;
  readonly body: unknown;
}

export interface RecordingReceiver {
  /** http://127.0.0.1:<port>, no trailing slash. */
  readonly url: string;
  readonly posts: RecordedPost[];
  /** The path of each post answered, in the order answered. */
  readonly answered: string[];
}

/** Starts the receiver; `cleanups` gets what closes it and the posts it still holds. */
export async function startRecordingReceiver(
  cleanups: (() => unknown)[],
  holdMs: Readonly<Record<string, number>> = {},
): Promise<RecordingReceiver> {
  const posts: RecordedPost[] = [];
  const answered: string[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      const contentEncoding = request.headers['content-encoding'];
      const raw = Buffer.concat(chunks);
      const text = (contentEncoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      posts.push({ path, contentEncoding, body: JSON.parse(text) as unknown });
      const answer = () => {
        held.delete(response);
        if (response.destroyed) return;
        answered.push(path);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      };
      const hold = holdMs[path];
      if (hold === undefined) return answer();
      held.add(response);
      setTimeout(answer, hold).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, posts, answered };
}

/** How many spans or log records a decoded OTLP/JSON body carries. */
export function itemsIn(body: unknown): number {
  const count = (value: unknown, [key, ...rest]: readonly string[]): number => {
    const child = (value as Record<string, unknown> | undefined)?.[key!];
    if (!Array.isArray(child)) return 0;
    if (rest.length === 0) return child.length;
    return child.reduce((sum: number, item: unknown) => sum + count(item, rest), 0);
  };
  return (
    count(body, ['resourceSpans', 'scopeSpans', 'spans']) +
    count(body, ['resourceLogs', 'scopeLogs', 'logRecords'])
  );
}
