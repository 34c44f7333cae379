// Keeps traces a metric exemplar points at, so a dashboard's exemplar link never leads nowhere.
import type { TraceView } from './policy.js';
import { BaseSamplingPolicy } from './policy.js';

export class ExemplarPolicy extends BaseSamplingPolicy {
  readonly kind = 'exemplar';

  protected matches(trace: TraceView): boolean {
    return trace.exemplar;
  }
}
