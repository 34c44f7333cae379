// The spec's structure check is precompiled (scripts/gen-validators.ts) so a service loads no ajv
// compiler at import. The module is a build artifact, made by scripts/ensure-spec-validator.mjs
// (pretest, the dependencies script of npm install, build, and the pre- scripts of typecheck, lint,
// demo, bench and plumbline) when its inputs change: it must be exactly what the current schema
// generates, carry the stamp of those inputs, and stay out of git.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { specValidatorSource } from '../../scripts/gen-validators.js';
import {
  isSpecValidatorCurrent,
  SPEC_VALIDATOR_FILE,
  specValidatorStamp,
} from '../../scripts/ensure-spec-validator.mjs';

const exec = promisify(execFile);

it('src/spec/spec-validator.generated.ts is generated from the current spec schema', async () => {
  const onDisk = await readFile(SPEC_VALIDATOR_FILE, 'utf8');
  const fresh = await specValidatorSource();
  expect(
    onDisk === fresh,
    'src/spec/spec-validator.generated.ts is stale against src/spec/spec-schema.ts: run `npm run gen:validators`',
  ).toBe(true);
  expect(fresh.split('\n').slice(0, 4)).toContain(specValidatorStamp());
  expect(isSpecValidatorCurrent()).toBe(true);
}, 30_000);

it('the generated validator is ignored by git, never committed', async () => {
  const { stdout } = await exec('git', ['check-ignore', SPEC_VALIDATOR_FILE]);
  expect(stdout.trim()).not.toBe('');
  const tracked = await exec('git', ['ls-files', SPEC_VALIDATOR_FILE]);
  expect(tracked.stdout).toBe('');
});
