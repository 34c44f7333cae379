// Regression: in a clone of this repository, `npx plumbline generate ...` (the commands cli.md
// shows) failed with ERR_MODULE_NOT_FOUND for dist/cli/main.js and a stack trace: nothing builds
// dist/ before `npm run build` (a developer's spec-change trial). It now says what works there.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('regression: npx plumbline in a clone without dist/', () => {
  it('says to use npm run plumbline or build, exit 2, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumbline-bin-'));
    try {
      cpSync(join(import.meta.dirname, '../../bin'), join(dir, 'bin'), { recursive: true });
      cpSync(join(import.meta.dirname, '../../package.json'), join(dir, 'package.json'));
      const failure = await promisify(execFile)(process.execPath, [
        join(dir, 'bin', 'plumbline.js'),
        'generate',
      ]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toBe(
        'plumbline: dist/ is not built. Inside the plumbline repository run the CLI from source with ' +
          '`npm run plumbline -- <command> ...`, or build it first with `npm run build`.\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
