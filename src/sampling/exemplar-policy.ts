// Keeps traces a metric exemplar points at, so a dashboard's exemplar link never leads nowhere.
// How many traces it may keep per second is bounded (`tracesPerSecond`, see exemplar-keep-limit.ts):
// an exemplar over the limit is not taken, and its slot keeps the exemplar it had.
import { DEFAULT_EXEMPLAR_TRACES_PER_SECOND } from './exemplar-keep-limit.js';
import type { TraceView } from './policy.js';
import { BaseSamplingPolicy } from './policy.js';

export class ExemplarPolicy extends BaseSamplingPolicy {
  readonly kind = 'exemplar';

  constructor(
    name: string,
    readonly tracesPerSecond: number = DEFAULT_EXEMPLAR_TRACES_PER_SECOND,
  ) {
    super(name);
  }

  protected matches(trace: TraceView): boolean {
    return trace.exemplar;
  }
}
