// Panel builders shared by the generated dashboards: every panel gets a title, a description,
// a unit and the templated datasource, and a layout places panels in rows on Grafana's grid.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  LegendDisplayMode,
  LegendPlacement,
  GraphThresholdsStyleMode,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
  GraphThresholdsStyleConfigBuilder,
  BigValueGraphMode,
  BigValueColorMode,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DashboardBuilder,
  type GridPos,
  type Panel,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  CellValuesBuilder,
  PanelBuilder as HeatmapPanelBuilder,
  YAxisConfigBuilder,
} from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, type PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { DataqueryBuilder as TempoQueryBuilder } from '@grafana/grafana-foundation-sdk/tempo';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { grafanaText } from './grafana-text.js';

/** Datasource variables: dashboard-linter's template-datasource-rule wants `<type>_datasource`. */
export const PROMETHEUS_DATASOURCE_VARIABLE = 'prometheus_datasource';
export const TRACE_DATASOURCE_VARIABLE = 'tempo_datasource';
export const PROMETHEUS_DATASOURCE: DataSourceRef = {
  type: 'prometheus',
  uid: `\${${PROMETHEUS_DATASOURCE_VARIABLE}}`,
};
export const TRACE_DATASOURCE: DataSourceRef = { type: 'tempo', uid: `\${${TRACE_DATASOURCE_VARIABLE}}` };

export interface PromTarget {
  readonly expr: string;
  readonly legend: string;
  /** Ask Prometheus for exemplars with this query (shown as points linking to traces). */
  readonly exemplar?: boolean;
  readonly format?: 'time_series' | 'heatmap' | 'table';
  /** One value at the end of the range instead of a series. */
  readonly instant?: boolean;
}

export interface PanelText {
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id (panel-units-rule's list): 's', 'ops', 'percentunit', 'short', ... */
  readonly unit: string;
}

function promQueries(targets: readonly PromTarget[]): cog.Builder<cog.Dataquery>[] {
  return targets.map((target, index) => {
    const query = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + index))
      .datasource(PROMETHEUS_DATASOURCE)
      .expr(target.expr)
      .legendFormat(target.legend);
    if (target.exemplar === true) query.exemplar(true);
    if (target.format !== undefined) query.format(target.format as PromQueryFormat);
    if (target.instant === true) query.instant();
    else query.range();
    return query;
  });
}

/** What every panel builder offers for the fields all Prometheus panels fill. */
interface PromPanelBuilder {
  title(title: string): this;
  description(description: string): this;
  unit(unit: string): this;
  datasource(datasource: DataSourceRef): this;
  targets(targets: cog.Builder<cog.Dataquery>[]): this;
}

/** A Prometheus panel's common part: its text and unit, the templated datasource, its queries. */
function promPanel<B extends PromPanelBuilder>(panel: B, text: PanelText, targets: readonly PromTarget[]): B {
  return panel
    .title(grafanaText(text.title))
    .description(grafanaText(text.description))
    .unit(text.unit)
    .datasource(PROMETHEUS_DATASOURCE)
    .targets(promQueries(targets));
}

function thresholdSteps(steps: readonly Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([...steps]);
}

export interface TimeseriesOptions extends PanelText {
  readonly targets: readonly PromTarget[];
  /** Drawn as dashed lines, e.g. a burn-rate alert factor. */
  readonly thresholdLines?: readonly number[];
  readonly min?: number;
}

export function timeseriesPanel(options: TimeseriesOptions): TimeseriesPanelBuilder {
  const panel = promPanel(new TimeseriesPanelBuilder(), options, options.targets)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom)
        .calcs([]),
    )
    .lineWidth(1)
    .fillOpacity(10);
  if (options.min !== undefined) panel.min(options.min);
  if (options.thresholdLines !== undefined && options.thresholdLines.length > 0) {
    panel
      .thresholds(
        thresholdSteps([
          { value: null, color: 'green' },
          ...options.thresholdLines.map((value) => ({ value, color: 'red' })),
        ]),
      )
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return panel;
}

export interface StatOptions extends PanelText {
  readonly targets: readonly PromTarget[];
  /** Colour steps: below the first value green... */
  readonly steps?: readonly Threshold[];
  /** Text for exact values, e.g. 0 -> OK, 1 -> FIRING. */
  readonly valueText?: Readonly<Record<string, { readonly text: string; readonly color: string }>>;
  readonly decimals?: number;
}

export function statPanel(options: StatOptions): StatPanelBuilder {
  const panel = promPanel(new StatPanelBuilder(), options, options.targets)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Value);
  if (options.decimals !== undefined) panel.decimals(options.decimals);
  if (options.steps !== undefined) panel.thresholds(thresholdSteps(options.steps));
  if (options.valueText !== undefined) {
    const options_: Record<string, { text: string; color: string; index: number }> = {};
    Object.entries(options.valueText).forEach(([value, display], index) => {
      options_[value] = { text: display.text, color: display.color, index };
    });
    panel.mappings([{ type: MappingType.ValueToText, options: options_ }]);
  }
  return panel;
}

export interface HeatmapOptions extends PanelText {
  /** The Grafana unit of the bucket bounds (the y axis): the histogram's unit. `unit` is the cells'. */
  readonly bucketUnit: string;
  /** `sum by (le) (rate(<histogram>_bucket{...}[$__rate_interval]))`. */
  readonly bucketRateExpr: string;
  readonly exemplars: boolean;
  /** The exemplar label that carries the trace id (option `exemplarTraceIdLabel`). */
  readonly traceIdLabel: string;
}

/**
 * Latency heatmap from the histogram's own buckets (no re-bucketing). The y axis is the buckets'
 * bounds, in the histogram's unit (`yAxis.unit`); each cell is a rate of observations, in the
 * panel's unit, which Grafana's heatmap gives the cell values unless `cellValues.unit` says
 * otherwise (it is set too, so the tooltip and colour legend read the same). Exemplars are requested
 * on the query; Grafana links each one to its trace through the Prometheus datasource's
 * exemplar destination, and the exemplars' trace id field (named after the label, as the
 * datasource's destination is) also links to the trace datasource variable.
 */
export function heatmapPanel(options: HeatmapOptions): HeatmapPanelBuilder {
  return promPanel(new HeatmapPanelBuilder(), options, [
    { expr: options.bucketRateExpr, legend: '{{le}}', format: 'heatmap', exemplar: options.exemplars },
  ])
    .calculate(false)
    .yAxis(new YAxisConfigBuilder().unit(options.bucketUnit))
    .cellValues(new CellValuesBuilder().unit(options.unit))
    .exemplarsColor('rgba(255,0,255,0.7)')
    .overrideByName(options.traceIdLabel, [
      {
        id: 'links',
        value: [
          {
            title: 'Open trace',
            url: `/explore?left=${encodeURIComponent(
              JSON.stringify({
                datasource: `\${${TRACE_DATASOURCE_VARIABLE}}`,
                queries: [{ refId: 'A', queryType: 'traceql', query: '${__value.raw}' }],
              }),
            )}`,
          },
        ],
      },
    ]);
}

export interface TraceTableOptions {
  readonly title: string;
  readonly description: string;
  readonly traceql: string;
  readonly limit: number;
}

/** Traces from the trace datasource chosen by the variable, e.g. the slowest ones. */
export function traceTablePanel(options: TraceTableOptions): TablePanelBuilder {
  return new TablePanelBuilder()
    .title(grafanaText(options.title))
    .description(grafanaText(options.description))
    .unit('none')
    .datasource(TRACE_DATASOURCE)
    .withTarget(
      new TempoQueryBuilder()
        .refId('A')
        .datasource(TRACE_DATASOURCE)
        .queryType('traceql')
        .query(options.traceql)
        .limit(options.limit),
    );
}

type PlaceablePanel = cog.Builder<Panel> & {
  gridPos(gridPos: GridPos): unknown;
  id(id: number): unknown;
};

/** Places rows and panels left to right on Grafana's 24-column grid and numbers them. */
export class PanelLayout {
  private x = 0;
  private y = 0;
  private tallest = 0;
  private nextId = 1;

  constructor(private readonly dashboard: DashboardBuilder) {}

  row(title: string): void {
    this.newLine();
    this.dashboard.withRow(
      new RowBuilder(grafanaText(title)).id(this.nextId++).gridPos({ x: 0, y: this.y, w: 24, h: 1 }),
    );
    this.y += 1;
  }

  panel(panel: PlaceablePanel, width = 8, height = 8): void {
    if (this.x + width > 24) this.newLine();
    panel.gridPos({ x: this.x, y: this.y, w: width, h: height });
    panel.id(this.nextId++);
    this.dashboard.withPanel(panel);
    this.x += width;
    this.tallest = Math.max(this.tallest, height);
  }

  private newLine(): void {
    if (this.x === 0) return;
    this.y += this.tallest;
    this.x = 0;
    this.tallest = 0;
  }
}
