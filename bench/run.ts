// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints one
// table and writes bench/results.json so runs can be compared. A run of some files replaces
// their rows (same name and baseline) in bench/results.json and keeps the others.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchRow } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const rows: BenchRow[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchRow[]> };
  const produced = await mod.run();
  rows.push(...produced);
  for (const r of produced) process.stderr.write(`${file}: ${r.name} ${r.ratio}x\n`);
}
const header = ['name', 'ns/op', 'baseline', 'baseline ns/op', 'ratio', 'target'];
const cells = rows.map((r) => [
  r.name,
  String(r.ns_per_op),
  r.baseline,
  String(r.baseline_ns_per_op),
  r.spread ? `${r.ratio}x (${r.spread[0]}-${r.spread[1]}, ${r.rounds} rounds)` : `${r.ratio}x`,
  r.target,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
const resultsPath = join(here, 'results.json');
let results = rows;
if (only.length > 0) {
  const key = (r: BenchRow) => `${r.name}\u0000${r.baseline}`;
  const fresh = new Map(rows.map((r) => [key(r), r]));
  const previous = JSON.parse(await readFile(resultsPath, 'utf8')) as BenchRow[];
  results = previous.map((r) => fresh.get(key(r)) ?? r);
  const kept = new Set(previous.map(key));
  results.push(...rows.filter((r) => !kept.has(key(r))));
}
await writeFile(resultsPath, JSON.stringify(results, null, 2) + '\n');
