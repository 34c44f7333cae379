// Regression: the dashboards option `exemplarTraceIdLabel` names the exemplar label that carries
// the trace id. The provisioned Prometheus datasource used it (its exemplar destination), but the
// overview heatmaps' "Open trace" link was an override on the field named `trace_id`, hard-coded:
// with `exemplarTraceIdLabel: 'traceID'` the exemplars' trace id field is `traceID`, the
// override matched no field and the heatmap's exemplar points had no link of their own (a review
// found it). The heatmaps now name the option's label, like the datasource.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

interface Override {
  matcher: { id: string; options: string };
  properties: { id: string; value?: unknown }[];
}
interface Panel {
  type: string;
  title: string;
  fieldConfig?: { overrides?: Override[] };
}
interface Datasources {
  datasources: { type: string; jsonData?: { exemplarTraceIdDestinations?: { name: string }[] } }[];
}

/** Per heatmap of the overview, the field names its "Open trace" links are on. */
function traceLinkFields(files: Map<string, string>): Map<string, string[]> {
  const [, text] = [...files].find(([name]) => name.endsWith('-overview.json'))!;
  const fields = new Map<string, string[]>();
  for (const panel of (JSON.parse(text) as { panels: Panel[] }).panels) {
    if (panel.type !== 'heatmap') continue;
    fields.set(
      panel.title,
      (panel.fieldConfig?.overrides ?? [])
        .filter((o) => o.matcher.id === 'byName' && o.properties.some((p) => p.id === 'links'))
        .map((o) => o.matcher.options),
    );
  }
  return fields;
}

function exemplarDestinations(files: Map<string, string>): string[] {
  const yaml = parse(files.get('provisioning/datasources/plumbline.yaml')!) as Datasources;
  return yaml.datasources.flatMap((d) => (d.jsonData?.exemplarTraceIdDestinations ?? []).map((e) => e.name));
}

describe('the heatmaps link the exemplar label the exemplarTraceIdLabel option names', () => {
  it.each(['traceID', 'trace_id', 'otel_trace_id'])('exemplarTraceIdLabel %s', (label) => {
    const files = renderDashboards(blueprintSpec as TelemetrySpec, { exemplarTraceIdLabel: label });
    expect(exemplarDestinations(files), 'the datasource').toEqual([label]);
    const heatmaps = traceLinkFields(files);
    // One per histogram of the spec, each with its exemplar points' trace link.
    expect([...heatmaps.keys()]).toHaveLength(Object.keys(blueprintSpec.histograms).length);
    for (const [title, fields] of heatmaps) expect(fields, title).toEqual([label]);
  });

  it('no dashboard names trace_id when the option names another label', () => {
    const files = renderDashboards(blueprintSpec as TelemetrySpec, { exemplarTraceIdLabel: 'traceID' });
    for (const [name, text] of files) expect(text.includes('trace_id'), name).toBe(false);
  });

  it('the default stays trace_id (the label plumbline writes)', () => {
    const files = renderDashboards(blueprintSpec as TelemetrySpec);
    expect(exemplarDestinations(files)).toEqual(['trace_id']);
    for (const [title, fields] of traceLinkFields(files)) expect(fields, title).toEqual(['trace_id']);
  });
});
