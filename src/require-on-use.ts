// A synchronous `require` for what the runtime loads only once it is used (ajv's compiler, the
// OTLP exporters, sdk-logs), so `import('plumbline')` does not pay for them: the ESM build makes
// one from its own URL, the CommonJS build (scripts/build-cjs.mjs) has its module's.
import { createRequire } from 'node:module';

export const requireOnUse: NodeJS.Require =
  typeof require === 'function' ? require : createRequire(import.meta.url);
