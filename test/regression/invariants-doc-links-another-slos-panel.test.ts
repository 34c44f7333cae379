// Regression (dashboards review): the invariants doc picked an SLO's error-ratio panel by the
// first matcher of its `bad` alone, so where two SLOs read one instrument with different `where`
// matchers (the blueprint's ingress-admission SLOs, one per client class), the best-effort SLO's
// section linked to the latency-sensitive SLO's panel. Hidden while both panels shared a title;
// the titles now name their SLO, and the doc picks the panel whose query also holds the SLO's
// where. Reads the doc as the generator writes it (the committed one is checked against it).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/invariants.md', import.meta.url), 'utf8');

/** The section of `doc` under the heading of SLO `name`. */
function section(name: string): string {
  const start = doc.indexOf(`## SLO ${name}:`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

it("links each SLO's section to its own error-ratio panel", () => {
  for (const slo of ['ingress-admission-latency-sensitive', 'ingress-admission-best-effort']) {
    const ratioPanels = section(slo)
      .split('\n')
      .filter((line) => /panel "blueprint\.ingress\.decisions error ratio/.test(line));
    expect(ratioPanels.length, slo).toBeGreaterThan(0);
    for (const line of ratioPanels) expect(line).toContain(`(SLO ${slo})`);
  }
});
