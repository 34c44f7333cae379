// Bounds what /metrics clients can hold: at most `maxConcurrent` expositions in flight (more get
// 503 at once), and a response not handed to the OS within `timeoutMs` (a client reading very
// slowly) is cut off, so slow scrapers cost a bounded amount of memory and never the service.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PipelineMetrics } from './pipeline-metrics.js';

export interface ScrapeBounds {
  readonly maxConcurrent: number;
  readonly timeoutMs: number;
}

export function boundedScrapeHandler(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  bounds: ScrapeBounds,
  pipeline: PipelineMetrics,
): (request: IncomingMessage, response: ServerResponse) => void {
  let inFlight = 0;
  pipeline.expect('scrape', ['busy', 'timeout'], false);
  return (request, response) => {
    if (inFlight >= bounds.maxConcurrent) {
      pipeline.drop('scrape', 'busy');
      response
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' })
        .end(`more than ${bounds.maxConcurrent} scrapes in flight\n`);
      return;
    }
    inFlight++;
    // The slot is freed once: when the timer cuts the response off (its 'close' can come a few
    // event-loop turns later, and a scraper retrying at once must not get a 503 for it) or on
    // 'close', which comes once per response whether it finished, was cut off or the client left.
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      inFlight--;
    };
    const timer = setTimeout(() => {
      if (response.writableFinished) return;
      release();
      pipeline.drop('scrape', 'timeout');
      response.destroy();
    }, bounds.timeoutMs);
    timer.unref();
    response.once('close', release);
    handler(request, response);
  };
}
