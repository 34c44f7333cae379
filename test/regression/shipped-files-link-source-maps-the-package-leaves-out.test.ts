// Regression: the ESM build ended 18 shipped files (dist/index.js, dist/generate/index.js, the
// CLI and every chunk) with `//# sourceMappingURL=<file>.js.map`, a map package.json's `files`
// leaves out of the tarball. Vite reads that comment for every file it transforms, so a Vitest
// suite with plumbline inlined (server.deps.inline) or a Vite SSR app logged "Failed to load
// source map for .../plumbline/dist/index.js. Error: ENOENT" with a stack trace per file
// (18 files with a comment, 0 of their maps shipped, 8 Vite warnings loading `plumbline` -> no
// comment, no warning). The maps stay in dist/ for work in the repository, without the comment.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createLogger, createServer } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp, packedTarball } from '../packaging/packed.js';

const exec = promisify(execFile);
let tarball: string;
beforeAll(async () => {
  tarball = await packedTarball();
}, 300_000);

describe('source map comments in the packed tarball', () => {
  it('every file that names a source map names one the tarball ships', async () => {
    const listing = await exec('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
    const files = new Set(listing.stdout.split('\n').filter(Boolean));
    const scripts = [...files].filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const file of scripts) {
      const { stdout } = await exec('tar', ['-xzOf', tarball, file], { maxBuffer: 16 * 1024 * 1024 });
      const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(stdout)?.[1];
      if (map === undefined || map.startsWith('data:')) continue;
      const target = `${file.slice(0, file.lastIndexOf('/') + 1)}${map}`;
      if (!files.has(target)) missing.push(`${file} -> ${map}`);
    }
    expect(missing).toEqual([]);
  }, 120_000);

  it('Vite loads the installed plumbline (inlined, as Vitest does with server.deps.inline) without a source map warning', async () => {
    const app = await consumerApp();
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => warnings.push(message);
    logger.warnOnce = (message) => warnings.push(message);
    logger.error = (message) => warnings.push(message);
    const server = await createServer({
      root: app,
      configFile: false,
      logLevel: 'warn',
      customLogger: logger,
      server: { middlewareMode: true, hmr: false, ws: false },
      ssr: { noExternal: ['plumbline'] },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    try {
      const plumbline = (await server.ssrLoadModule('plumbline')) as { defineTelemetry?: unknown };
      expect(typeof plumbline.defineTelemetry).toBe('function');
    } finally {
      await server.close();
    }
    expect(warnings.filter((message) => /source ?map/i.test(message))).toEqual([]);
  }, 120_000);
});
