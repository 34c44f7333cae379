// Regression: `plumbline check live ... -- COMMAND` starts the service in a process group of its
// own and stops it on every way the check ends but one: a check killed with SIGKILL (a CI job's
// timeout, the OOM killer) ran no exit handler, so the service went on running, holding its port,
// and the next run of the job could not start it. A small watchdog (its own process group) holds a
// pipe from the check and kills the service's group when that pipe closes, as it does when the
// kernel closes the dead check's files. Real parts: the CLI as a process from source, the service a
// node HTTP server; only the deadline of the polls is a time, and it is generous.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { freePort, waitFor } from '../support/process.js';
import { checkSpec } from '../check/check-spec.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Running, not a zombie: a process whose parent died may stay unreaped where init does not reap. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function groupKill(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

// The service: writes its pid to PID_FILE and answers every request on PORT.
const SERVICE = `
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
createServer((req, res) => res.end('up\\n')).listen(Number(process.env.PORT), '127.0.0.1', () => {
  writeFileSync(process.env.PID_FILE, String(process.pid));
});
`;

async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return (await response.text()) === 'up\n';
  } catch {
    return false;
  }
}

it('a check killed with SIGKILL takes the service it started with it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'check-live-sigkill-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'service.mjs');
  await writeFile(script, SERVICE);
  const specPath = join(dir, 'spec.json');
  await writeFile(specPath, JSON.stringify(checkSpec));
  const pidFile = join(dir, 'service.pid');
  const port = await freePort();
  // The check in a process group of its own, as a CI runner starts a job's command, so that
  // killing it takes the whole group at once (tsx's helper processes included) and nothing else.
  const check = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'check',
      'live',
      '--spec',
      specPath,
      '--metrics',
      `http://127.0.0.1:${port}/metrics`,
      '--duration',
      '10m',
      '--scrape-interval',
      '60s',
      '--',
      process.execPath,
      script,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), PID_FILE: pidFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  check.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  check.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  cleanups.push(() => groupKill(check.pid!));

  const servicePid = await waitFor(
    'the service the check started to answer',
    async () => {
      const pid = await readFile(pidFile, 'utf8').catch(() => undefined);
      return pid !== undefined && (await answers(port)) ? Number(pid) : undefined;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\ncheck output:\n${output}`);
  });
  // Should the service outlive this test, it goes with it.
  cleanups.push(() => groupKill(servicePid));
  expect(running(servicePid)).toBe(true);

  // The check's whole group, without a chance to run anything.
  process.kill(-check.pid!, 'SIGKILL');
  await new Promise((resolve) => check.once('exit', resolve));

  await waitFor(
    'the service to end with the check',
    async () => (!running(servicePid) && !(await answers(port)) ? true : undefined),
    20_000,
  ).catch(() => undefined);
  expect({ serviceRunning: running(servicePid), portAnswers: await answers(port) }).toEqual({
    serviceRunning: false,
    portAnswers: false,
  });
}, 90_000);
