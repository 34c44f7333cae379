// The ESM half of the package as bundles instead of one file per module: Node's ESM loader pays
// for every module it resolves, reads and links, and `import('plumbline')` loaded about a hundred
// of plumbline's own. The three entries (the runtime `plumbline`, `plumbline/generate`, the CLI)
// share code through chunks, so a process holds one copy of every class (SpecError, ...) and the
// runtime entry still loads no generator. Dependencies stay external. Runs after tsc, whose
// declarations (.d.ts) stay as they are; its per-module .js files are replaced.
import { build } from 'esbuild';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const staging = await mkdtemp(join(tmpdir(), 'plumbline-esm-'));

await build({
  entryPoints: ['index.ts', 'generate/index.ts', 'cli/main.ts'].map((entry) => join(root, 'src', entry)),
  outdir: staging,
  outbase: join(root, 'src'),
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Maps beside the files for work in this repository, but no `//# sourceMappingURL` comment: the
  // package leaves the maps out (package.json files), and a comment naming a missing map made Vite
  // warn with a stack trace for every file it loaded (Vitest with plumbline inlined, Vite SSR).
  sourcemap: 'external',
  logLevel: 'warning',
});
for (const file of await emitted(dist)) await rm(file);
await cp(staging, dist, { recursive: true });
await rm(staging, { recursive: true, force: true });

/** tsc's per-module JavaScript (and maps) of the ESM build, not dist/cjs. */
async function emitted(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== join(dist, 'cjs')) found.push(...(await emitted(path)));
    } else if (entry.name.endsWith('.js') || entry.name.endsWith('.js.map')) found.push(path);
  }
  return found;
}
