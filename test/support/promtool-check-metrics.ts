// `promtool check metrics` on an exposition body: what Prometheus' own linter says of it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { peerBinary } from './peers.js';

/** Runs `promtool check metrics` with `body` on stdin: its exit code and output. */
export async function promtoolCheckMetrics(body: string): Promise<{ code: number; output: string }> {
  const child = spawn(peerBinary('promtool'), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(body);
  const [code] = (await once(child, 'close')) as [number];
  return { code, output };
}
