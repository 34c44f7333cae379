// An estimate of the heap a buffered span holds, for the maxBytes cap. It is deliberately cheap
// (one pass over attribute keys) and errs high: a fixed cost for the span object, its context and
// times, plus key and value lengths (strings count 2 bytes per character in the worst case).

const SPAN_BASE_BYTES = 400;
const ATTRIBUTE_BYTES = 40;
const EVENT_BYTES = 160;
const LINK_BYTES = 120;

export function estimateSpanBytes(span: {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly unknown[];
  readonly links: readonly unknown[];
}): number {
  let bytes = SPAN_BASE_BYTES + span.name.length * 2;
  const attributes = span.attributes;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += ATTRIBUTE_BYTES + key.length * 2;
    if (typeof value === 'string') bytes += value.length * 2;
    else if (Array.isArray(value)) bytes += value.length * 16;
  }
  return bytes + span.events.length * EVENT_BYTES + span.links.length * LINK_BYTES;
}
