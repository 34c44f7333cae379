// What every generated dashboard shares: datasource and job/instance variables, time range,
// read-only flag, tags and links between the three dashboards.
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  PROMETHEUS_DATASOURCE,
  PROMETHEUS_DATASOURCE_VARIABLE,
  TRACE_DATASOURCE_VARIABLE,
} from './panels.js';

export interface ShellOptions {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** Tags shared by the dashboards of one service; the links menu lists dashboards by tag. */
  readonly tags: readonly string[];
  /** A metric every job of interest exposes, for the job/instance variables' values. */
  readonly scopeMetric: string;
  /** Add the trace datasource variable (dashboards that link to traces). */
  readonly traces: boolean;
}

/** A dashboard with the variables and settings the linter expects; panels are added by the caller. */
export function dashboardShell(options: ShellOptions): DashboardBuilder {
  const builder = new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags([...options.tags])
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('Related dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([...options.tags])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(
      new DatasourceVariableBuilder(PROMETHEUS_DATASOURCE_VARIABLE)
        .label('Prometheus data source')
        .type('prometheus')
        .description('The Prometheus that scrapes the service and the collector.'),
    );
  if (options.traces) {
    builder.withVariable(
      new DatasourceVariableBuilder(TRACE_DATASOURCE_VARIABLE)
        .label('Tempo data source')
        .type('tempo')
        .description('The trace datasource that exemplar and trace links open.'),
    );
  }
  return builder
    .withVariable(
      new QueryVariableBuilder('job')
        .label('Job')
        .description('Prometheus scrape jobs to show.')
        .datasource(PROMETHEUS_DATASOURCE)
        .query(`label_values(${options.scopeMetric}, job)`)
        .definition(`label_values(${options.scopeMetric}, job)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    )
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .description('Scrape targets of the selected jobs.')
        .datasource(PROMETHEUS_DATASOURCE)
        .query(`label_values(${options.scopeMetric}{job=~"$job"}, instance)`)
        .definition(`label_values(${options.scopeMetric}{job=~"$job"}, instance)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    );
}
