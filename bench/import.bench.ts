// Import time of the runtime entry as a user pays it: the packed package installed in a fresh
// app, `import('plumbline')` against `import('@opentelemetry/sdk-trace-node')`, each in a fresh
// node process (nothing cached), rounds alternating so machine noise hits both alike.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { consumerApp } from '../test/packaging/packed.js';
import { row, type BenchRow } from './harness.js';

const exec = promisify(execFile);
const ROUNDS = 9;

/** Milliseconds one fresh process spends in `await import(specifier)`. */
async function importMs(app: string, specifier: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
  return Number(stdout.trim());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<BenchRow[]> {
  const app = await consumerApp();
  // One unmeasured round each warms the OS file cache.
  await importMs(app, 'plumbline');
  await importMs(app, '@opentelemetry/sdk-trace-node');
  const plumbline: number[] = [];
  const sdk: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    plumbline.push(await importMs(app, 'plumbline'));
    sdk.push(await importMs(app, '@opentelemetry/sdk-trace-node'));
  }
  return [
    row(
      `import('plumbline'), packed and installed, fresh process (median of ${ROUNDS})`,
      median(plumbline) * 1e6,
      "import('@opentelemetry/sdk-trace-node'), same app, fresh process",
      median(sdk) * 1e6,
      '<= 1.5',
    ),
  ];
}
