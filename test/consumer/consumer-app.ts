// Consumer apps for the packaging proof: plumbline packed with `npm pack` (prepack builds it)
// and installed into a fresh app per OpenTelemetry JS line. The app's own dependencies are
// installed once per machine into ~/.cache/plumbline/consumer-<hash> (keyed by the app's
// package.json and its line); each run reinstalls only the plumbline tarball.
// Several test runs may share that cache (a developer's beside a clean clone's): the tarball is
// content-addressed and never rewritten (test/packaging/packed.ts) or, packed from another
// checkout, in a directory of the run's own; an app is locked from its install to the end of its
// use (`releaseConsumerApp`), so a second run waits for it rather than installing over it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEEP_RECENT_MS, packedTarball } from '../packaging/packed.js';
import { TEST_CACHE_DIR } from '../support/peers.js';
import { lockCachePath, type CacheLock } from './cache-lock.js';

/** An OTel JS line as a service brings it: the packages it installs, exact, and the Node it needs. */
export interface OtelLine {
  readonly name: '2.x' | '3.x';
  readonly dependencies: Readonly<Record<string, string>>;
  /** The OTel 3.x packages declare engines node >= 22.15: that line runs (and resolves) on Node 22. */
  readonly node: 'this' | '22.23.5';
}

// core and resources are pinned to the patch level sdk-node uses: auto-instrumentations' caret
// ranges would otherwise pull the newest patch beside it, a second copy of core before plumbline
// is even installed. With auto-instrumentations-node 0.82.0 (sdk-node ^0.300.0) the 3.x line is
// 3.0.x/0.300.x; sdk-node 0.301.x beside it would be a second sdk-node.
export const OTEL_LINES: readonly OtelLine[] = [
  {
    name: '2.x',
    node: 'this',
    dependencies: {
      '@opentelemetry/api': '1.9.1',
      '@opentelemetry/core': '2.12.0',
      '@opentelemetry/resources': '2.12.0',
      '@opentelemetry/sdk-node': '0.223.0',
      '@opentelemetry/auto-instrumentations-node': '0.81.2',
      // The recipe registers its ESM hook (docs/install.md lists it): sdk-node's version.
      '@opentelemetry/instrumentation': '0.223.0',
    },
  },
  {
    name: '3.x',
    node: '22.23.5',
    dependencies: {
      '@opentelemetry/api': '1.10.0',
      '@opentelemetry/core': '3.0.0',
      '@opentelemetry/resources': '3.0.0',
      '@opentelemetry/sdk-node': '0.300.0',
      '@opentelemetry/auto-instrumentations-node': '0.82.0',
      '@opentelemetry/instrumentation': '0.300.0',
    },
  },
];

const cache = TEST_CACHE_DIR;

/**
 * How long a run waits for another run's use of the same app or Node install: a warm app's
 * install and tests take a minute or two, a cold install up to ten more. Under the files'
 * 900 s beforeAll, with the pack and this run's own install after it.
 */
export const LOCK_WAIT_MS = 10 * 60_000;

/**
 * The environment to run npm and the app with for `line`: for Node 22, its binary (the npm
 * package node-<platform>-<arch>, installed once into the cache) first on PATH.
 */
export async function lineEnvironment(line: OtelLine): Promise<NodeJS.ProcessEnv> {
  if (line.node === 'this') return { ...process.env };
  const dir = join(cache, `node-${line.node}`);
  const bin = join(dir, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin');
  const environment = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  if (existsSync(join(bin, 'node'))) return environment;
  const lock = await lockCachePath(`${dir}.lock`, `Node ${line.node} install`, LOCK_WAIT_MS);
  try {
    // Another run may have installed it while this one waited.
    if (existsSync(join(bin, 'node'))) return environment;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `node-${process.platform}-${process.arch}@${line.node}`,
      ],
      dir,
      600_000,
    );
  } finally {
    await lock.release();
  }
  return environment;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error !== null)
          reject(
            new Error(
              `${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stderr.slice(-4000)}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

let packed: Promise<string> | undefined;

/**
 * `npm pack` of this repository (prepack runs the build), from a staging copy and cached by its
 * sources (test/packaging/packed.ts), so the work tree's dist/ is not rebuilt under other tests.
 * PLUMBLINE_PACK_FROM: pack another checkout of plumbline (e.g. a clean worktree) instead, once
 * per test process.
 */
export function packPlumbline(): Promise<string> {
  const from = process.env.PLUMBLINE_PACK_FROM;
  packed ??= (async () => {
    pruneTarballDirectories();
    return from === undefined ? packedTarball() : packCheckout(from);
  })();
  return packed;
}

/** Removes a killed run's tarball directory, and the one all runs shared before (consumer-tarball). */
function pruneTarballDirectories(): void {
  const names = existsSync(cache) ? readdirSync(cache) : [];
  for (const name of names.filter((entry) => entry.startsWith('consumer-tarball'))) {
    const path = join(cache, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (info !== undefined && Date.now() - info.mtimeMs > KEEP_RECENT_MS)
      rmSync(path, { recursive: true, force: true });
  }
}

/** Packs `from` into a directory of this process's own, removed when it exits. */
async function packCheckout(from: string): Promise<string> {
  mkdirSync(cache, { recursive: true });
  const destination = mkdtempSync(join(cache, 'consumer-tarball-'));
  process.once('exit', () => rmSync(destination, { recursive: true, force: true }));
  const out = await run('npm', ['pack', '--pack-destination', destination, '--json'], from, 300_000);
  const [{ filename }] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string }];
  return join(destination, filename);
}

let held: CacheLock | undefined;

/** Ends this process's use of its consumer app, so another run may install and use it. */
export async function releaseConsumerApp(): Promise<void> {
  const lock = held;
  held = undefined;
  await lock?.release();
}

/**
 * An app made of the files in `fixtures` (folders beside this file, later ones win) with
 * `line`'s OTel packages and `extra` dependencies installed, plus the freshly packed plumbline.
 * Returns the app's directory, locked against other test runs until `releaseConsumerApp()` (or
 * this process's exit). A process uses one app at a time: taking one releases the one it held,
 * so two runs never wait on each other.
 */
export async function consumerApp(
  fixtures: readonly string[],
  line: OtelLine,
  extra: Readonly<Record<string, string>>,
): Promise<string> {
  const manifest = {
    name: `plumbline-consumer-${fixtures.at(-1)}-${line.name.replace('.', '')}`,
    private: true,
    type: 'module',
    dependencies: { ...line.dependencies, ...extra },
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const hash = createHash('sha256').update(text).update(line.name).digest('hex').slice(0, 12);
  const dir = join(cache, `consumer-${hash}`);
  const env = await lineEnvironment(line);
  const tarball = await packPlumbline();
  await releaseConsumerApp();
  const lock = await lockCachePath(`${dir}.lock`, `consumer app ${manifest.name}`, LOCK_WAIT_MS);
  try {
    if (!existsSync(join(dir, 'node_modules', '.installed'))) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), text);
      await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], dir, 600_000, env);
      writeFileSync(join(dir, 'node_modules', '.installed'), '');
    }
    // The app's sources are copied each run, so a change to them needs no reinstall.
    // A `.fixture` suffix keeps a TypeScript file out of this repository's own type check.
    for (const fixture of fixtures) {
      const sources = fileURLToPath(new URL(fixture, import.meta.url));
      for (const file of readdirSync(sources))
        cpSync(join(sources, file), join(dir, file.replace(/\.fixture$/, '')));
    }
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir, 300_000, env);
  } catch (error) {
    await lock.release();
    throw error;
  }
  held = lock;
  return dir;
}

/** The distinct versions of `name` installed in `dir` (`npm ls --all`). */
export async function installedVersions(
  dir: string,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const out = await run('npm', ['ls', name, '--all', '--json'], dir, 60_000, env).catch((error: Error) => {
    throw new Error(`npm ls ${name} reports a problem (invalid or missing peer?): ${error.message}`);
  });
  const versions = new Set<string>();
  const walk = (node: { dependencies?: Record<string, { version?: string; dependencies?: object }> }) => {
    for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
      if (dependency === name && child.version !== undefined) versions.add(child.version);
      walk(child as never);
    }
  };
  walk(JSON.parse(out) as never);
  return [...versions].sort();
}

export { run as runCommand };
