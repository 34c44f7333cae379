// `npm test`'s first step (pretest): on a fresh clone, or when package-lock.json changed since the
// last install, installs the locked dependencies, so the README's `npm test` works on its own;
// then generates the precompiled spec validator when it is missing or stale (typecheck needs it).
// Plain Node, no dependencies: it runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureSpecValidator } from './ensure-spec-validator.mjs';

const lock = 'package-lock.json';
const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log('pretest: npm ci (node_modules is missing or older than package-lock.json)');
  // better-sqlite3 compiles with node-gyp, which downloads Node's headers unless told where they
  // are; a machine that reaches only package registries cannot download them. The running Node's
  // own headers (<prefix>/include/node) serve when no nodedir is configured.
  const env = { ...process.env };
  const prefix = dirname(dirname(process.execPath));
  if (env.npm_config_nodedir === undefined && existsSync(join(prefix, 'include', 'node', 'node.h')))
    env.npm_config_nodedir = prefix;
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', env });
}
// After the install: the generator runs under tsx, a dev dependency.
ensureSpecValidator();
