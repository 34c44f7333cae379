// The real peers of the tests (Prometheus 3, promtool, Alertmanager and amtool, the plumbline collector):
// scripts/peer.sh builds each once per machine from the Go module proxy, cached outside the
// clone, or takes the binary named by PLUMBLINE_PROMETHEUS/_PROMTOOL/_ALERTMANAGER/_AMTOOL/_OTELCOL.
// test/support/global-setup.ts brings them all before the first test file and sets those
// variables, so a test file's lookup here is a read of its environment.
import { execFileSync, spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type PeerName = 'prometheus' | 'promtool' | 'alertmanager' | 'amtool' | 'otelcol';

const script = fileURLToPath(new URL('../../scripts/peer.sh', import.meta.url));

/** Where the tests cache what they build outside the clone (peers, packed tarballs, consumer apps), as scripts/peer.sh does. */
export const TEST_CACHE_DIR =
  process.env.PLUMBLINE_CACHE_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'plumbline');

/** The environment variable that names a peer's binary. */
export const peerVariable = (name: PeerName): string => `PLUMBLINE_${name.toUpperCase()}`;

/** The command a person runs to build a peer by hand. */
export const peerCommand = (name: PeerName): string => `bash scripts/peer.sh ${name}`;

function peerFailure(name: PeerName, stderr: string, cause: string): Error {
  return new Error(
    `the test peer "${name}" is not available (${cause}).\n` +
      `Build it with: ${peerCommand(name)}   or point ${peerVariable(name)} at an existing binary.\n` +
      stderr.trim().split('\n').slice(-30).join('\n'),
  );
}

/**
 * The peer's binary path; builds it first when it is not cached (minutes, once per machine). The
 * script's own progress lines are shown as they come; the build tools' output is kept for the
 * error message.
 */
export function buildPeer(name: PeerName): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (stderr.length < 4 << 20) stderr += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines)
        if (/^(peer\.sh|build-collector)/.test(line)) process.stderr.write(`${line}\n`);
    });
    child.once('error', (error) => reject(peerFailure(name, stderr, error.message)));
    child.once('close', (code) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || path === '') reject(peerFailure(name, stderr, `exit code ${code}`));
      else resolve(path);
    });
  });
}

const known = new Map<PeerName, string>();

/**
 * The peer's binary path, at once: from its environment variable (set by the global setup) or
 * from the cache. Never builds and never waits: a missing peer throws with the command that
 * builds it.
 */
export function peerBinary(name: PeerName): string {
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  let path: string;
  try {
    path = execFileSync('bash', [script, name], {
      env: { ...process.env, PLUMBLINE_PEER_NO_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw peerFailure(name, stderr, 'not built yet');
  }
  known.set(name, path);
  return path;
}
