// `npm test`'s first step (pretest): on a fresh clone, or when package-lock.json changed since the
// last install, installs the locked dependencies, so the README's `npm test` works on its own.
// Plain Node, no dependencies: it runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const lock = 'package-lock.json';
const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log('pretest: npm ci (node_modules is missing or older than package-lock.json)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
