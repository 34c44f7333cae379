// The human form of a live-check report: what was observed, then one row per deviation.
import type { LiveCheckReport } from './live-check.js';

export function formatReport(report: LiveCheckReport): string {
  const o = report.observed;
  let text =
    `observed ${(o.durationMs / 1000).toFixed(1)} s: ${o.scrapes} scrapes (${o.scrapeFailures} failed, ` +
    `${o.metricFamilies} families), ${o.logLines} log lines, ${o.otlpRequests} OTLP requests ` +
    `(${o.spans} spans, ${o.logRecords} log records, ${o.metricPoints} metric points)\n`;
  if (report.ok) return text + 'no deviation: the telemetry matches the spec\n';
  const header = ['KIND', 'SUBJECT', 'SOURCE', 'COUNT', 'DETAIL'];
  const rows = report.deviations.map((d) => [d.kind, d.subject, d.source, String(d.count), d.detail]);
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ') + '\n';
  text += `${report.deviations.length} deviation${report.deviations.length === 1 ? '' : 's'}:\n`;
  text += line(header);
  for (const row of rows) text += line(row);
  if (report.droppedDeviations > 0)
    text += `… and ${report.droppedDeviations} more distinct deviations not listed\n`;
  return text;
}
