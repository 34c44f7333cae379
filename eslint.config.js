// Lint config: typescript-eslint's recommended rules over every TypeScript file we ship or run,
// and the layer boundaries: imports go spec/model → runtime, spec/model → generators, never back.
import tseslint from 'typescript-eslint';

/** Runtime areas: what `plumbline` loads in a running service. */
const RUNTIME = ['logs', 'metrics', 'sampling', 'slo', 'telemetry', 'spec'].map(
  (area) => `src/${area}/**/*.ts`,
);

const RUNTIME_NEVER_IMPORTS_BUILD_TIME = {
  regex: String.raw`^\.{1,2}/(.*/)?(generate|cli)(/|$)`,
  message:
    'runtime code never imports generators or the CLI: they are build time, behind plumbline/generate. Move what both need into spec/ (naming.ts, promql.ts) or slo/model.',
};

export default tseslint.config(
  {
    // The precompiled spec validator is generated (scripts/gen-validators.ts) and gitignored.
    ignores: [
      'dist/**',
      'node_modules/**',
      'dashboards/**',
      'collector/**',
      'alerts/**',
      'coverage/**',
      'src/spec/spec-validator.generated.ts',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: RUNTIME,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'yaml',
              message: 'the runtime loads no YAML parser (load it with import() where a YAML file is read)',
            },
          ],
          patterns: [
            RUNTIME_NEVER_IMPORTS_BUILD_TIME,
            { group: ['@grafana/*'], message: 'the Grafana SDK is for the dashboard generators only' },
          ],
        },
      ],
    },
  },
  {
    // OpenSLO input is parsed here but only reached through plumbline/generate
    // (test/packaging/runtime-entry.test.ts proves the runtime entry never loads yaml).
    files: ['src/spec/openslo.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [RUNTIME_NEVER_IMPORTS_BUILD_TIME] }] },
  },
  {
    files: ['src/generate/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^\.{1,2}/(.*/)?(logs|metrics|sampling|telemetry|cli)(/|$)`,
              message:
                'generators read the spec and the model (spec/, slo/model), not runtime modules: move shared names into spec/naming.ts',
            },
            {
              regex: String.raw`^\.{1,2}/(.*/)?slo/(engine|evaluate-live|window-ring|status-rows|index)(\.js)?$`,
              message:
                'generators read the SLO model (slo/model, slo/sli-promql), not the in-process calculator',
            },
          ],
        },
      ],
    },
  },
);
