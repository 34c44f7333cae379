// The human form of a live-check report: what was observed, one row per deviation, then the
// metrics that are not the spec's (an instrumentation library's, or allowed) and the log records
// that are not (other loggers' than plumbline's event logger), and the attributes recorded that no
// instrument declares, which fail nothing.
import type { LiveCheckReport } from './live-check.js';

export function formatReport(report: LiveCheckReport): string {
  const o = report.observed;
  const skipped =
    (o.scrapesSkipped ?? 0) > 0 ? `, ${o.scrapesSkipped} skipped: the one before still running` : '';
  let text =
    `observed ${(o.durationMs / 1000).toFixed(1)} s: ${o.scrapes} scrapes (${o.scrapeFailures} failed${skipped}, ` +
    `${o.metricFamilies} families), ${o.logLines} log lines, ${o.otlpRequests} OTLP requests ` +
    `(${o.spans} spans, ${o.logRecords} log records, ${o.metricPoints} metric points)\n`;
  if ((o.entrySpansParentUnknown ?? 0) > 0)
    text +=
      `${o.entrySpansParentUnknown} server or consumer spans with a parent sent without OTLP span flags (an older exporter): ` +
      'whether the parent is remote is unknown, so their sampling keys were not checked\n';
  if (report.ok) text += 'no deviation: the telemetry matches the spec\n';
  else {
    text += `${report.deviations.length} deviation${report.deviations.length === 1 ? '' : 's'}:\n`;
    text += table(
      ['KIND', 'SUBJECT', 'SOURCE', 'COUNT', 'DETAIL'],
      report.deviations.map((d) => [d.kind, d.subject, d.source, String(d.count), d.detail]),
    );
    if (report.droppedDeviations > 0)
      text += `… and ${report.droppedDeviations} more distinct deviations not listed\n`;
  }
  const notSpec = report.notSpecMetrics;
  if (notSpec.length > 0) {
    text += `${notSpec.length} metric${notSpec.length === 1 ? '' : 's'} not the spec's, not checked:\n`;
    text += table(
      ['METRIC', 'SOURCE', 'COUNT', 'REASON'],
      notSpec.map((m) => [m.name, m.source, String(m.count), m.reason]),
    );
  }
  if (report.droppedNotSpecMetrics > 0)
    text += `… and ${report.droppedNotSpecMetrics} more metrics not the spec's not listed\n`;
  const notSpecLogs = report.notSpecLogRecords;
  if (notSpecLogs.length > 0) {
    const records = notSpecLogs.reduce((sum, s) => sum + s.count, 0);
    text += `${records} log record${records === 1 ? '' : 's'} not the spec's (not plumbline's event logger), not checked as events:\n`;
    text += table(
      ['LOG SCOPE', 'RECORDS'],
      notSpecLogs.map((s) => [s.scope, String(s.count)]),
    );
  }
  if (report.droppedNotSpecLogRecords > 0)
    text += `… and ${report.droppedNotSpecLogRecords} more log records not the spec's, of scopes not listed\n`;
  const undeclared = report.undeclaredAttributes;
  if (undeclared.length > 0) {
    text +=
      `${undeclared.length} attribute${undeclared.length === 1 ? '' : 's'} recorded that the instrument does not declare ` +
      '(no label, kept on exemplars only; declare it in the spec or fix its name):\n';
    text += table(
      ['METRIC', 'ATTRIBUTE', 'SERIES'],
      undeclared.map((u) => [u.metric, u.attribute, String(u.series)]),
    );
  }
  return text;
}

/** Aligned columns; the last one is not padded. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const last = header.length - 1;
  const widths = header.slice(0, last).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i < last ? cell.padEnd(widths[i]!) : cell)).join('  ') + '\n';
  return line(header) + rows.map(line).join('');
}
