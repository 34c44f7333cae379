// A flood for the overload tests, run as its own process so its sending does not share an event
// loop with the client whose latency the test measures:
//   tsx test/e2e/overload-flood.ts <url> <tenant> <rate> <small|bulk>
// Token from BLUEPRINT_OVERLOAD_TOKEN. Prints "flooding" once started and its stats as one JSON
// line when SIGTERM stops it.
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';

const [url, tenant, rateText, kind] = process.argv.slice(2);
const rate = Number(rateText);
const load = new LoadGenerator({
  url: url!,
  tenants: [{ name: tenant!, weight: 1, token: process.env.BLUEPRINT_OVERLOAD_TOKEN! }],
  ratePerSecond: kind === 'bulk' ? 0 : rate,
  connections: 64,
});
let timer: NodeJS.Timeout | undefined;
if (kind === 'bulk') {
  // 100 events of 2,600 small numbers each: just under 1 MiB of tokens for JSON.parse, encoded
  // once so sending costs this process as little as possible.
  const numbers = Array.from({ length: 2_600 }, (_, i) => i % 1000);
  const body = Buffer.from(
    JSON.stringify(
      Array.from({ length: 100 }, (_, i) => ({ type: 'bulk.loaded', id: `b-${i}`, payload: { numbers } })),
    ),
  );
  timer = setInterval(() => void load.send(tenant!, body), 1000 / rate);
} else {
  load.start();
}
process.stdout.write('flooding\n');
process.once('SIGTERM', () => {
  clearInterval(timer);
  void load.stop().then(() => {
    const { acceptedLatencies, shedLatencies, ...stats } = load.stats;
    process.stdout.write(
      `${JSON.stringify({ ...stats, accepted: acceptedLatencies.length, shed: shedLatencies.length })}\n`,
    );
    process.exit(0);
  });
});
