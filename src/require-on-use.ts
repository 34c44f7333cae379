// A synchronous `require` for what the runtime loads only once it is used (ajv's compiler, the
// OTLP exporters, sdk-logs), so `import('plumbline')` does not pay for them. The ESM build makes
// it from its module URL; in the CommonJS build (scripts/build-cjs.mjs) import.meta.url is
// undefined and the module's file name serves.
import { createRequire } from 'node:module';

export const requireOnUse: NodeJS.Require = createRequire(import.meta.url ?? __filename);
