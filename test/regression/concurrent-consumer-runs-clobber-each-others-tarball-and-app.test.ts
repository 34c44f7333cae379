// Regression (session 14): the consumer apps' helper (test/consumer/consumer-app.ts) packed
// plumbline into one shared directory, ~/.cache/plumbline/consumer-tarball, emptied by every run,
// and installed each run's tarball into a shared cached app, ~/.cache/plumbline/consumer-<hash>,
// whose tests then ran in it. Two test runs at once on one machine (a developer's beside a clean
// clone's) raced: one run's rm -rf deleted the other's tarball (31 consumer tests failed in setup,
// reported as skipped), and one run's install replaced the plumbline another run was testing. A
// run now packs into a directory of its own and holds a lock on the app from its install to the
// end of its use (a second run waits, bounded, and is told who holds it).
// Real parts: two processes running the helper at once against one temporary cache, each packing
// its own checkout of a (tiny) plumbline with npm and installing it with npm.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { lockCachePath } from '../consumer/cache-lock.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HELPER = new URL('../consumer/consumer-app.ts', import.meta.url).href;

// One test run's use of a consumer app: install it (a local dependency for the OTel packages, so
// no registry), then read which build of plumbline is installed in it, ten times over two
// seconds, as its tests would run.
const RUN = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerApp } from ${JSON.stringify(HELPER)};
const line = { name: '2.x', node: 'this', dependencies: { dependency: process.env.APP_DEPENDENCY } };
const dir = await consumerApp(['app-common'], line, {});
const seen = [];
for (let i = 0; i < 10; i++) {
  seen.push(JSON.parse(readFileSync(join(dir, 'node_modules', 'plumbline', 'package.json'), 'utf8')).description);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log(JSON.stringify(seen));
`;

let temp: string | undefined;
afterEach(async () => {
  if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  temp = undefined;
});

/** A checkout of "plumbline" whose package says which build it is. */
async function checkout(root: string, build: string): Promise<string> {
  const dir = join(root, `checkout-${build}`);
  await mkdir(dir, { recursive: true });
  const manifest = { name: 'plumbline', version: '0.0.0', description: `build ${build}`, main: 'index.js' };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify(build)};\n`);
  return dir;
}

function testRun(
  cache: string,
  from: string,
  dependency: string,
): Promise<{ error?: string; seen?: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', RUN],
      {
        cwd: REPO,
        env: {
          ...process.env,
          PLUMBLINE_CACHE_DIR: cache,
          PLUMBLINE_PACK_FROM: from,
          APP_DEPENDENCY: `file:${dependency}`,
        },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error !== null) resolve({ error: `${error.message}\n${stderr.slice(-2000)}` });
        else resolve({ seen: JSON.parse(stdout.trim().split('\n').at(-1)!) as string[] });
      },
    );
  });
}

/** Two checkouts of "plumbline", A and B, and the local package the app depends on. */
async function setUp(): Promise<{ cache: string; a: string; b: string; dependency: string }> {
  temp = await mkdtemp(join(tmpdir(), 'plumbline-consumer-race-'));
  const dependency = join(temp, 'dependency');
  await mkdir(dependency);
  await writeFile(join(dependency, 'package.json'), JSON.stringify({ name: 'dependency', version: '1.0.0' }));
  return {
    cache: join(temp, 'cache'),
    a: await checkout(temp, 'A'),
    b: await checkout(temp, 'B'),
    dependency,
  };
}

async function expectEachItsOwnBuild(
  cache: string,
  a: string,
  b: string,
  dependency: string,
  tarballDirectories: string[] = [],
): Promise<void> {
  const [runA, runB] = await Promise.all([testRun(cache, a, dependency), testRun(cache, b, dependency)]);

  expect(runA).toEqual({ seen: Array<string>(10).fill('build A') });
  expect(runB).toEqual({ seen: Array<string>(10).fill('build B') });
  // Each run's tarball directory went with it: only the app and its lock are cached.
  const left = (await readdir(cache)).filter((name) => name.startsWith('consumer-'));
  expect(left.filter((name) => name.includes('tarball'))).toEqual(tarballDirectories);
  expect(left.filter((name) => !name.endsWith('.lock') && !name.includes('tarball'))).toHaveLength(1);
}

describe('concurrent consumer runs clobber each others tarball and app', () => {
  it('gives two runs at once each its own build when the app is installed already (session 14)', async () => {
    const { cache, a, b, dependency } = await setUp();
    // An earlier run installed the app's dependencies, as on a developer's machine.
    expect(await testRun(cache, a, dependency)).toEqual({ seen: Array<string>(10).fill('build A') });

    await expectEachItsOwnBuild(cache, a, b, dependency);
  }, 240_000);

  it('gives two runs at once each its own build when both find the app missing', async () => {
    const { cache, a, b, dependency } = await setUp();
    // The directory all runs shared before, left two days ago, is cleared; a run's fresh one is kept.
    await mkdir(join(cache, 'consumer-tarball'), { recursive: true });
    const old = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(join(cache, 'consumer-tarball'), old, old);
    await mkdir(join(cache, 'consumer-tarball-running'));

    await expectEachItsOwnBuild(cache, a, b, dependency, ['consumer-tarball-running']);
  }, 240_000);

  it('bounds the wait for a held app and names the lock and its holder', async () => {
    temp = await mkdtemp(join(tmpdir(), 'plumbline-consumer-lock-'));
    const path = join(temp, 'consumer-0123456789ab.lock');
    const held = await lockCachePath(path, 'consumer app plumbline-consumer-app-common-2x', 60_000);

    const waited = await lockCachePath(path, 'a second run', 500).then(
      () => 'taken while held',
      (error: Error) => error.message,
    );

    expect(waited).toContain(`waiting for the lock ${path} (a second run)`);
    expect(waited).toContain(`held by pid ${process.pid} (consumer app plumbline-consumer-app-common-2x;`);
    await held.release();
    const again = await lockCachePath(path, 'a second run', 5_000);
    await again.release();
  });
});
