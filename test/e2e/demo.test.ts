// `npm run demo` as a user runs it, briefly: the dependencies start as their own processes, the
// final report names one kept request trace with its spans per service and its storage batch,
// nothing accepted is lost, and no dependency process outlives the demo.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startProcess } from '../support/process.js';

describe('npm run demo', () => {
  it('reports a kept trace across the blueprint and both dependency processes', async () => {
    const demo = startProcess(process.execPath, [
      '--import',
      'tsx',
      'examples/blueprint/demo.ts',
      '--duration',
      '8',
      '--rate',
      '60',
    ]);
    const exited = new Promise<number | null>((resolve) => demo.child.once('exit', resolve));
    // While it runs, its dependencies are processes of their own.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(demo.child.pid)]).toString();
    expect(children.match(/dependency-main\.ts (geo|profile)/g)?.sort()).toEqual([
      'dependency-main.ts geo',
      'dependency-main.ts profile',
    ]);
    expect(await exited, demo.output()).toBe(0);
    const report = demo.output().slice(demo.output().indexOf('== final report =='));
    expect(report).toMatch(
      /trace {6}[0-9a-f]{32} kept: blueprint [4-9] spans, geo 1 span, profile 1 span; storage batch [0-9a-f]{32} \(\d+ spans?, linked\)/,
    );
    expect(report).toMatch(/none lost/);
    // The whole run, not its last second and phase; network errors named by code when any.
    expect(report).toMatch(/^faults {5}fault script ran: none \d+ s/m);
    expect(report).toMatch(/accepted \d+ \(\d+ req\/s run average, \d+ req\/s last second\)/);
    expect(report).toMatch(/^network errors (0|\d+ \([A-Za-z_]+ \d+(, [A-Za-z_]+ \d+)*\))$/m);
    const left = execFileSync('ps', ['-eo', 'pid=,ppid=,args=']).toString();
    expect(left).not.toMatch(new RegExp(`^\\s*\\d+\\s+${demo.child.pid}\\s`, 'm'));
  }, 90_000);
});
