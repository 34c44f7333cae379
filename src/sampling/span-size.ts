// An estimate of the heap a buffered span holds, for the maxBytes cap. It is deliberately cheap
// (one pass over attribute keys) and errs high: a fixed cost for the span object, its context and
// times, plus key and value lengths (strings count 2 bytes per character in the worst case),
// the strings in array values, and the names and attributes of events and links (an exception
// event's stack trace, a header list: test/regression/held-bytes-miss-event-and-array-strings.test.ts).

const SPAN_BASE_BYTES = 400;
const ATTRIBUTE_BYTES = 40;
const ARRAY_ELEMENT_BYTES = 16;
const EVENT_BYTES = 160;
const LINK_BYTES = 120;

/** What the estimate reads of an event or a link: its name, if any, and its attributes. */
interface Annotation {
  readonly name?: unknown;
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
}

export function estimateSpanBytes(span: {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly unknown[];
  readonly links: readonly unknown[];
}): number {
  let bytes = SPAN_BASE_BYTES + span.name.length * 2 + attributesBytes(span.attributes);
  const events = span.events;
  if (events.length > 0) bytes += annotationsBytes(events, EVENT_BYTES);
  const links = span.links;
  if (links.length > 0) bytes += annotationsBytes(links, LINK_BYTES);
  return bytes;
}

function attributesBytes(attributes: Readonly<Record<string, unknown>> | undefined): number {
  let bytes = 0;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += ATTRIBUTE_BYTES + key.length * 2;
    if (typeof value === 'string') bytes += value.length * 2;
    else if (Array.isArray(value)) bytes += arrayBytes(value);
  }
  return bytes;
}

function arrayBytes(values: readonly unknown[]): number {
  let bytes = values.length * ARRAY_ELEMENT_BYTES;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string') bytes += value.length * 2;
  }
  return bytes;
}

// Events and links as the SDK made them; one of another shape counts its fixed cost only.
function annotationsBytes(annotations: readonly unknown[], fixed: number): number {
  let bytes = annotations.length * fixed;
  for (let i = 0; i < annotations.length; i++) {
    const annotation = annotations[i] as Annotation | null | undefined;
    if (typeof annotation !== 'object' || annotation === null) continue;
    const name = annotation.name;
    if (typeof name === 'string') bytes += name.length * 2;
    bytes += attributesBytes(annotation.attributes);
  }
  return bytes;
}
