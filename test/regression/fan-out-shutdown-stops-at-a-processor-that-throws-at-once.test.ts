// Regression (export review): the fan-out behind the tail sampler called every processor's
// shutdown (and forceFlush) inside one map: a processor whose shutdown threw at once ended the
// map, so the processors after it were never shut down (their last spans never exported), and
// a failure that came later was swallowed without a word. Every processor is now called, and
// each failure is reported to diag.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it } from 'vitest';
import { FanOutSpanProcessor } from '../../src/telemetry/fan-out-span-processor.js';

afterEach(() => diag.disable());

class Recording implements SpanProcessor {
  readonly calls: string[] = [];
  constructor(private readonly fails?: 'at once' | 'later') {}
  onStart(_span: Span): void {}
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return this.step('forceFlush');
  }
  shutdown(): Promise<void> {
    return this.step('shutdown');
  }
  private step(name: string): Promise<void> {
    this.calls.push(name);
    if (this.fails === 'at once') throw new Error(`${name} broke at once`);
    if (this.fails === 'later') return Promise.reject(new Error(`${name} broke later`));
    return Promise.resolve();
  }
}

it.each(['forceFlush', 'shutdown'] as const)(
  'calls %s on every processor past one that throws, and reports each failure',
  async (step) => {
    const errors: string[] = [];
    diag.setLogger(
      {
        error: (message, ...args) =>
          errors.push(`${message} ${String((args[0] as Error | undefined)?.message)}`),
        warn() {},
        info() {},
        debug() {},
        verbose() {},
      },
      DiagLogLevel.ERROR,
    );
    const atOnce = new Recording('at once');
    const later = new Recording('later');
    const exporting = new Recording();
    await expect(new FanOutSpanProcessor([atOnce, later, exporting])[step]()).resolves.toBeUndefined();
    expect([atOnce.calls, later.calls, exporting.calls]).toEqual([[step], [step], [step]]);
    expect(errors).toEqual([
      `plumbline: span processor ${step} failed ${step} broke at once`,
      `plumbline: span processor ${step} failed ${step} broke later`,
    ]);
  },
);
