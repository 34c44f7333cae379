// Regression: `require('plumbline')` from CommonJS failed with ERR_PACKAGE_PATH_NOT_EXPORTED
// (the exports map had only an `import` condition). Checked on the packed, installed package,
// with require(esm) switched off as on Node 20.0-20.18.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumerApp, runNode } from '../packaging/packed.js';

describe("require('plumbline')", () => {
  it('loads the CommonJS build, runtime and generate entries', async () => {
    const app = await consumerApp();
    await writeFile(
      join(app, 'require-regression.cjs'),
      "const p = require('plumbline'); const g = require('plumbline/generate');\n" +
        'console.log(typeof p.createTelemetry, typeof g.generatePrometheusRules);\n',
    );
    expect(await runNode(app, ['--no-experimental-require-module', 'require-regression.cjs'])).toBe(
      'function function\n',
    );
  }, 300_000);
});
