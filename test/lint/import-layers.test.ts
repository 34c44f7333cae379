// The layer boundaries in eslint.config.js fail lint: runtime code importing a generator, the
// CLI, yaml or the Grafana SDK, and generators importing runtime modules. Fixture sources are
// linted as if they sat in those folders (ESLint's Node API, the repo's own config).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  expect(result!.messages.filter((message) => message.fatal)).toEqual([]);
  return result!.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('eslint: imports go one way', () => {
  it.each([
    ['src/metrics/layer-fixture.ts', "import { renderDashboards } from '../generate/dashboards.js';"],
    ['src/slo/layer-fixture.ts', "import { main } from '../cli/main.js';"],
    [
      'src/telemetry/deep/layer-fixture.ts',
      "import { generateCollectorConfigs } from '../../generate/collector.js';",
    ],
    ['src/spec/layer-fixture.ts', "import { renderInvariantsDoc } from '../generate/invariants/doc.js';"],
  ])('runtime file %s importing build-time code fails lint', async (filePath, code) => {
    const messages = await restrictedImports(
      filePath,
      `${code}\nexport const used = [${code.match(/\{ (\w+) \}/)![1]}];\n`,
    );
    expect(messages).toEqual([expect.stringMatching(/runtime code never imports generators or the CLI/)]);
  });

  it('runtime code importing yaml or the Grafana SDK fails lint', async () => {
    const messages = await restrictedImports(
      'src/logs/layer-fixture.ts',
      "import { parse } from 'yaml';\nimport type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';\nexport const used: [typeof parse, Dashboard?] = [parse];\n",
    );
    expect(messages).toEqual([
      expect.stringMatching(/loads no YAML parser/),
      expect.stringMatching(/Grafana SDK is for the dashboard generators only/),
    ]);
  });

  it('a generator importing a runtime module or the SLO calculator fails lint', async () => {
    const messages = await restrictedImports(
      'src/generate/rules/layer-fixture.ts',
      "import { createMetrics } from '../../metrics/create-metrics.js';\nimport { createSloEngine } from '../../slo/engine.js';\nexport const used = [createMetrics, createSloEngine];\n",
    );
    expect(messages).toEqual([
      expect.stringMatching(/generators read the spec and the model/),
      expect.stringMatching(/not the in-process calculator/),
    ]);
  });

  it('the allowed directions pass: runtime and generators both read spec/ and the SLO model', async () => {
    expect(
      await restrictedImports(
        'src/metrics/layer-fixture.ts',
        "import { sdkSeries } from '../spec/naming.js';\nexport const used = [sdkSeries];\n",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        'src/generate/rules/layer-fixture.ts',
        "import { resolveSlos } from '../../slo/model.js';\nimport { sliSeries } from '../../slo/sli-promql.js';\nimport { promString } from '../../spec/promql.js';\nexport const used = [resolveSlos, sliSeries, promString];\n",
      ),
    ).toEqual([]);
  });
});
