// Brings every real peer before the first test file: builds what is not cached yet (once per
// machine; the first run takes minutes) and hands the paths to the test files through
// PLUMBLINE_PROMETHEUS and friends. A peer that cannot be had stops the run here, at once, with
// the command that builds it; no test file waits on a build.
import { buildPeer, peerVariable, type PeerName } from './peers.js';

// Two lanes side by side: Prometheus and promtool share one module graph, so promtool reuses
// the build cache Prometheus filled when it goes second; the collector and Alertmanager have
// graphs of their own, and their downloads and links overlap the other lane's compiles.
const LANES: readonly (readonly PeerName[])[] = [
  ['prometheus', 'promtool'],
  ['otelcol', 'alertmanager', 'amtool'],
];

export default async function setup(): Promise<void> {
  const started = Date.now();
  const ready: string[] = [];
  await Promise.all(
    LANES.map(async (lane) => {
      for (const name of lane) {
        const path = await buildPeer(name);
        process.env[peerVariable(name)] = path;
        ready.push(`${name}=${path}`);
      }
    }),
  );
  console.log(`peers ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ready.join(' ')}`);
}
