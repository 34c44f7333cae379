// Brings every real peer before the first test file: builds what is not cached yet (once per
// machine; the first run takes minutes) and hands the paths to the test files through
// PLUMBLINE_PROMETHEUS and friends. A peer that cannot be had stops the run here, at once, with
// the command that builds it; no test file waits on a build.
import { buildPeer, PEERS, peerVariable } from './peers.js';

export default async function setup(): Promise<void> {
  const started = Date.now();
  // One at a time: each Go build already uses every core, and prometheus and promtool share a
  // module graph, so the second reuses the first's build cache.
  for (const name of PEERS) {
    const variable = peerVariable(name);
    const path = await buildPeer(name);
    process.env[variable] = path;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `peers ready in ${seconds} s: ${PEERS.map((name) => `${name}=${process.env[peerVariable(name)]}`).join(' ')}`,
  );
}
