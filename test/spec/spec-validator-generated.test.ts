// The spec's structure check is precompiled (scripts/gen-validators.ts) so a service loads no ajv
// compiler at import. The committed module must be what the current schema generates: after a
// change to src/spec/spec-schema.ts, `npm run gen:validators` regenerates it.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { SPEC_VALIDATOR_FILE, specValidatorSource } from '../../scripts/gen-validators.js';

it('src/spec/spec-validator.generated.ts is generated from the current spec schema', async () => {
  const committed = await readFile(SPEC_VALIDATOR_FILE, 'utf8');
  const fresh = await specValidatorSource();
  expect(
    committed === fresh,
    'src/spec/spec-validator.generated.ts is stale against src/spec/spec-schema.ts: run `npm run gen:validators`',
  ).toBe(true);
}, 30_000);
