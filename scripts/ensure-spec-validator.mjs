// Makes src/spec/spec-validator.generated.ts (the spec's JSON Schema precompiled by
// scripts/gen-validators.ts) when it is missing or was made from other inputs. The module is a
// build artifact, gitignored: `npm test` (pretest), `npm install` and `npm ci` (the `dependencies`
// script), `npm run build` and the pre- scripts of typecheck, lint, demo, bench and plumbline call
// this. Not `prepare`: npm 11 lists a package's prepare as an install script awaiting approval on
// every install of the tarball, though it never runs there. Plain Node, so the check costs no
// TypeScript loader; only a regeneration runs tsx.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
export const SPEC_VALIDATOR_FILE = join(ROOT, 'src/spec/spec-validator.generated.ts');

/**
 * What decides the generated text: the schema (spec-schema.ts imports nothing; a schema split
 * into more files lists them here), the generator, the formatting, and the ajv and prettier that
 * run. test/spec/spec-validator-generated.test.ts regenerates and compares, so a missed input fails there.
 */
const INPUT_FILES = ['src/spec/spec-schema.ts', 'scripts/gen-validators.ts', '.prettierrc.json'];
const INPUT_PACKAGES = ['ajv', 'prettier'];
const STAMP_PREFIX = '// inputs sha256: ';

/** The header line that names the inputs a generated module was made from. */
export function specValidatorStamp() {
  const hash = createHash('sha256');
  for (const file of INPUT_FILES)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  for (const name of INPUT_PACKAGES) {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    hash.update(`${name}@${version}\0`);
  }
  return `${STAMP_PREFIX}${hash.digest('hex').slice(0, 32)}`;
}

/** True when the generated module exists and carries the stamp of the current inputs. */
export function isSpecValidatorCurrent() {
  if (!existsSync(SPEC_VALIDATOR_FILE)) return false;
  const stamp = specValidatorStamp();
  return readFileSync(SPEC_VALIDATOR_FILE, 'utf8').split('\n', 8).includes(stamp);
}

/** Regenerates the module (about 3 s) unless it is current. */
export function ensureSpecValidator() {
  if (isSpecValidatorCurrent()) return;
  console.log('generating src/spec/spec-validator.generated.ts (missing or older than its inputs)');
  execFileSync('npx', ['--no-install', 'tsx', join(ROOT, 'scripts/gen-validators.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureSpecValidator();
}
