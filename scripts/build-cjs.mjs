// The CommonJS half of the package (dist/cjs), so `require('plumbline')` works on every Node the
// package supports (require(esm) only arrived unflagged in 20.19): each ESM module is transformed
// alone, never bundled, so the runtime entry still loads no generator. Types are the ESM build's
// declarations, copied where a CommonJS package.json makes TypeScript read them as CommonJS.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cjs');

/** Every .ts source except the CLI, which only ever runs as ESM through bin/plumbline.js. */
async function sources(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (relative(root, path) !== join('src', 'cli')) found.push(...(await sources(path)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

await build({
  entryPoints: await sources(join(root, 'src')),
  outdir: out,
  outbase: join(root, 'src'),
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // require-on-use.ts reads import.meta.url only in ESM; a CommonJS module has its own require.
  define: { 'import.meta.url': 'undefined' },
  logLevel: 'warning',
});
await writeFile(join(out, 'package.json'), '{ "type": "commonjs" }\n');
for (const declaration of await declarations(join(root, 'dist'))) {
  const target = join(out, relative(join(root, 'dist'), declaration));
  await mkdir(dirname(target), { recursive: true });
  await copyFile(declaration, target);
}

/** The ESM build's .d.ts files, without the CLI's and without dist/cjs itself. */
async function declarations(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== out && path !== join(root, 'dist', 'cli')) found.push(...(await declarations(path)));
    } else if (entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}
