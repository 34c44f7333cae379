// Puts a bound on metric exports in flight: when the endpoint is black-holed an export (with
// its retries) can outlive the export interval, so a new batch that finds the bound reached is
// dropped at once and counted, instead of piling up serialized batches behind a dead socket.
// Once shut down it exports nothing more and counts nothing: the reader made its last export
// before shutting the exporter down, and a flush after that only collects again.
// A failed export is counted and said here, in one rate-limited line: told of it, OTel's
// PeriodicExportingMetricReader only hands it to the global error handler, which wrote the error
// as JSON with its stack trace once per export interval while the collector was down.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type {
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { PipelineMetrics } from './pipeline-metrics.js';

export class BoundedMetricExporter implements PushMetricExporter {
  private inFlight = 0;
  private shutDown = false;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly maxInFlight: number,
    private readonly pipeline: PipelineMetrics,
    /**
     * Says a failed export (a FailureReport's line). Given, the reader is answered success once
     * the failure is counted and said: sdk-metrics 2.12's reader does nothing else with a failed
     * result (its forceFlush and shutdown resolve either way). Not given: the reader is told.
     */
    private readonly report?: (error: Error) => void,
  ) {
    pipeline.expect('metric_batch', ['busy', 'timeout', 'export_failed'], true);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) {
      // Not a drop: the cumulative data was in the shutdown's export (or its failure, counted).
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('metric export is shut down') });
      return;
    }
    if (this.inFlight >= this.maxInFlight) {
      this.pipeline.drop('metric_batch', 'busy');
      this.answer(resultCallback, {
        code: ExportResultCode.FAILED,
        error: new Error(`${this.maxInFlight} metric export(s) still in flight: batch dropped`),
      });
      return;
    }
    this.inFlight++;
    let settled = false;
    const done = (result: ExportResult) => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (result.code === ExportResultCode.SUCCESS) this.pipeline.export('metric_batch');
      else
        this.pipeline.drop(
          'metric_batch',
          result.error?.name === 'TimeoutError' ? 'timeout' : 'export_failed',
        );
      this.answer(resultCallback, result);
    };
    try {
      this.inner.export(metrics, done);
    } catch (error) {
      done({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  /** The reader's answer: a failure counted by now, said here when there is a report. */
  private answer(resultCallback: (result: ExportResult) => void, result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS || this.report === undefined) return resultCallback(result);
    try {
      this.report(result.error ?? new Error('metric export failed'));
    } catch {
      // Saying it must not keep the reader from its answer.
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.shutDown = true;
    return this.inner.shutdown();
  }
}
