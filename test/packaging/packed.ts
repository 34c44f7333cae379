// The package as a user gets it: `npm pack` of a staging copy (so the work tree's dist/ is never
// rebuilt under other tests), and a fresh app that installs the tarball. Both are cached in
// ~/.cache/plumbline/packaging (PLUMBLINE_CACHE_DIR moves it) by a hash of what goes into the package, so reruns cost nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_CACHE_DIR } from '../support/peers.js';

const exec = promisify(execFile);
export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const CACHE = join(TEST_CACHE_DIR, 'packaging');
/** Everything that decides the tarball's content. */
const INPUTS = [
  'src',
  'bin',
  'docs',
  'scripts/build-cjs.mjs',
  'scripts/bundle-esm.mjs',
  // The build (and npm install, test, demo ...) generate src/spec/spec-validator.generated.ts when it is missing or stale.
  'scripts/ensure-spec-validator.mjs',
  'scripts/gen-validators.ts',
  '.prettierrc.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
];

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => filesUnder(join(path, entry.name))));
  return nested.flat();
}

async function inputHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of (await filesUnder(join(REPO, input))).sort()) {
      hash
        .update(relative(REPO, file))
        .update('\0')
        .update(await readFile(file))
        .update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Entries of one kind kept however old: the current one and the few before it (another branch, a clean clone). */
export const KEEP_NEWEST = 4;
/** An entry used this recently is kept too: another checkout's run may be using it now. */
export const KEEP_RECENT_MS = 2 * 60 * 60 * 1000;

/**
 * Deletes the entries of `dir` named `prefix`* beyond the `KEEP_NEWEST` last used (by mtime),
 * unless used within `KEEP_RECENT_MS` of `now`. Each source change makes a new pack and app
 * (~30 MB together), so without this the cache grows with every edit a developer tests.
 */
export async function pruneCache(dir: string, prefix: string, now = Date.now()): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.startsWith(prefix));
  const entries = await Promise.all(
    names.map(async (name) => ({ name, used: (await stat(join(dir, name))).mtimeMs })),
  );
  entries.sort((a, b) => b.used - a.used);
  const old = (entry: { used: number }) => now - entry.used > KEEP_RECENT_MS;
  // A scratch copy left by a killed run counts only once it is old; it is never one of the kept.
  const scratch = entries.filter((entry) => entry.name.includes('.tmp-'));
  const made = entries.filter((entry) => !entry.name.includes('.tmp-'));
  const stale = [...made.slice(KEEP_NEWEST), ...scratch].filter(old);
  await Promise.all(stale.map(async (entry) => rm(join(dir, entry.name), { recursive: true, force: true })));
  return stale.map((entry) => entry.name);
}

/** Runs `make` once per cache key, other callers wait for it (a directory is the lock). */
async function once(target: string, make: (scratch: string) => Promise<void>): Promise<string> {
  if (await exists(target)) {
    // Marks it used, so pruning keeps the entries in use rather than the ones made last.
    const now = new Date();
    await utimes(target, now, now).catch(() => undefined);
    return target;
  }
  await mkdir(CACHE, { recursive: true });
  const scratch = `${target}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(scratch, { recursive: true });
  try {
    await make(scratch);
    // Another process may have finished first; either copy is the same.
    await rename(scratch, target).catch(async () => rm(scratch, { recursive: true, force: true }));
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  await pruneCache(CACHE, `${basename(target).split('-')[0]}-`);
  return target;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The packed tarball (`npm pack`, prepack build included) for the current sources. */
export async function packedTarball(): Promise<string> {
  const key = await inputHash();
  const dir = await once(join(CACHE, `pack-${key}`), async (scratch) => {
    const stage = join(scratch, 'stage');
    for (const input of INPUTS) await cp(join(REPO, input), join(stage, input), { recursive: true });
    await symlink(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', scratch], {
      cwd: stage,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      // The build's own errors (tsc) are on stdout; npm's summary is on stderr.
      throw new Error(`npm pack failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    });
    // The build's own lines (a regenerated spec validator says so) come before npm's JSON.
    const [{ filename }] = JSON.parse(stdout.slice(Math.max(0, stdout.search(/^\[/m)))) as [
      { filename: string },
    ];
    await rename(join(scratch, filename), join(scratch, 'plumbline.tgz'));
    await rm(stage, { recursive: true, force: true });
  });
  return join(dir, 'plumbline.tgz');
}

/** Versions the consumer app pins, taken from this repo's lock so `--prefer-offline` finds them. */
async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** A fresh ESM app with the tarball installed from npm's cache, plus @types/node for type tests. */
export async function consumerApp(): Promise<string> {
  const tarball = await packedTarball();
  const key = createHash('sha256')
    .update(await readFile(tarball))
    .digest('hex')
    .slice(0, 16);
  return once(join(CACHE, `app-${key}`), async (app) => {
    // The OTel peers pinned to this repo's line (2.x, which runs on Node 20), as the README's
    // Install section tells a user to; sdk-trace-node is the import-time bench's baseline.
    const { peerDependencies = {} } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
    };
    const dependencies: Record<string, string> = { plumbline: `file:${tarball}` };
    for (const name of [...Object.keys(peerDependencies), '@opentelemetry/sdk-trace-node', '@types/node'])
      dependencies[name] = await lockedVersion(name);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'plumbline-consumer', private: true, type: 'module', dependencies }, null, 2),
    );
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: app,
      maxBuffer: 64 * 1024 * 1024,
    });
  });
}

/** Runs node in `cwd` and returns stdout, failing with stderr on a non-zero exit. */
export async function runNode(
  cwd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const options = { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 };
    return (await exec(process.execPath, [...args], options)).stdout;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`node ${args.join(' ')} failed: ${failed.stderr ?? failed.message}`);
  }
}
