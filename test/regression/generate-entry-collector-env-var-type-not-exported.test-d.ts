// Regression: `plumbline/generate` exports `collectorEnv` (the variables the generated collector
// configs read, for a deploy script or a test that sets them), but not the type of its entries,
// CollectorEnvVar: a helper taking one (`(variable: CollectorEnvVar) => ...`) could not name it
// (TS2305) nor import it from a deep path the package's exports map refuses.
import { describe, expectTypeOf, it } from 'vitest';
import type { collectorEnv, CollectorEnvVar } from '../../src/generate/index.js';

describe('generate entry: CollectorEnvVar type not exported', () => {
  it("names the type of collectorEnv's entries", () => {
    expectTypeOf<(typeof collectorEnv)[keyof typeof collectorEnv]>().toEqualTypeOf<CollectorEnvVar>();
    expectTypeOf<CollectorEnvVar>().toEqualTypeOf<{
      readonly name: string;
      readonly defaultValue: string;
      readonly meaning: string;
    }>();
  });
});
