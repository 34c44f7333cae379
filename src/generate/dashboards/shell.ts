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
import { COLLECTOR_INSTANCE_VARIABLE, COLLECTOR_JOB_VARIABLE } from './promql.js';

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
  /**
   * A metric every collector exposes from its start: when given, add the collector_job and
   * collector_instance variables the collector panels filter by (not the service's job).
   */
  readonly collectorScopeMetric?: string;
}

/** A multi-select query variable over one label's values, "All" = `.+`, reloaded with the time range. */
function labelValuesVariable(
  name: string,
  label: string,
  description: string,
  selector: string,
  valuesOf: 'job' | 'instance',
): QueryVariableBuilder {
  const query = `label_values(${selector}, ${valuesOf})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(PROMETHEUS_DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
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
  builder
    .withVariable(
      labelValuesVariable('job', 'Job', 'Prometheus scrape jobs to show.', options.scopeMetric, 'job'),
    )
    .withVariable(
      labelValuesVariable(
        'instance',
        'Instance',
        'Scrape targets of the selected jobs.',
        `${options.scopeMetric}{job=~"$job"}`,
        'instance',
      ),
    );
  const collector = options.collectorScopeMetric;
  if (collector !== undefined) {
    builder
      .withVariable(
        labelValuesVariable(
          COLLECTOR_JOB_VARIABLE,
          'Collector job',
          "Scrape jobs of the collectors' own metrics; the collector panels filter by these, not by Job.",
          collector,
          'job',
        ),
      )
      .withVariable(
        labelValuesVariable(
          COLLECTOR_INSTANCE_VARIABLE,
          'Collector instance',
          'Collectors (scrape targets) of the selected collector jobs.',
          `${collector}{job=~"$${COLLECTOR_JOB_VARIABLE}"}`,
          'instance',
        ),
      );
  }
  return builder;
}
