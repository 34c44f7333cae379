// The structure of a telemetry spec as JSON Schema, so a spec from YAML/JSON (or a JS object
// that skipped the type checker) is checked field by field before anything reads it.

/**
 * What plumbline exports over OTLP, as the `signal` label of its telemetry self-metrics, in the
 * order a pipeline SLI reads them by default (types.ts names the type; kept here because this
 * module imports nothing, see scripts/ensure-spec-validator.mjs).
 */
export const PIPELINE_EXPORT_SIGNALS = ['span', 'log_record', 'metric_batch'] as const;

const name = { type: 'string', minLength: 1, maxLength: 200 };
const description = { type: 'string' };
const attributeList = { type: 'array', items: name, uniqueItems: true };
const cardinalityLimit = { type: 'integer', minimum: 1 };
const match = {
  type: 'object',
  additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
};
const promDuration = { type: 'string', pattern: '^[0-9]+(ms|s|m|h|d|w)$' };

const field = {
  type: 'object',
  properties: {
    type: { enum: ['string', 'integer', 'number', 'boolean', 'string[]', 'object'] },
    required: { type: 'boolean' },
    sensitive: { type: 'boolean' },
    untrusted: { type: 'boolean' },
    maxLength: { type: 'integer', minimum: 1 },
    enum: { type: 'array', items: { type: 'string' }, minItems: 1 },
    description,
  },
  required: ['type'],
  additionalProperties: false,
};

const event = {
  type: 'object',
  properties: {
    level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] },
    description,
    fields: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' },
      additionalProperties: field,
    },
    security: { type: 'boolean' },
    inSpan: { type: 'boolean' },
    budget: {
      type: 'object',
      properties: {
        linesPerSecond: { type: 'number', exclusiveMinimum: 0 },
        key: { type: 'string' },
      },
      required: ['linesPerSecond'],
      additionalProperties: false,
    },
  },
  required: ['level', 'fields'],
  additionalProperties: false,
};

const bucketPlan = {
  oneOf: [
    {
      type: 'object',
      properties: { boundaries: { type: 'array', items: { type: 'number' }, minItems: 1 } },
      required: ['boundaries'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        fromSlos: {
          type: 'object',
          properties: {
            min: { type: 'number', exclusiveMinimum: 0 },
            max: { type: 'number', exclusiveMinimum: 0 },
            perDecade: { type: 'integer', minimum: 1, maximum: 20 },
          },
          required: ['min', 'max'],
          additionalProperties: false,
        },
      },
      required: ['fromSlos'],
      additionalProperties: false,
    },
  ],
};

const histogram = {
  type: 'object',
  properties: {
    description,
    unit: { type: 'string' },
    attributes: attributeList,
    cardinalityLimit,
    buckets: bucketPlan,
    exemplars: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        minValue: { type: 'number' },
        maxPerSecond: { type: 'number', exclusiveMinimum: 0 },
      },
      additionalProperties: false,
    },
  },
  required: ['description', 'unit', 'buckets'],
  additionalProperties: false,
};

const instrument = {
  type: 'object',
  properties: { description, unit: { type: 'string' }, attributes: attributeList, cardinalityLimit },
  required: ['description'],
  additionalProperties: false,
};

const gauge = {
  ...instrument,
  properties: { ...instrument.properties, acrossInstances: { enum: ['sum', 'avg', 'max', 'min'] } },
};

const counter = {
  ...instrument,
  properties: {
    ...instrument.properties,
    exemplars: { type: 'object', properties: { enabled: { type: 'boolean' } }, additionalProperties: false },
  },
};

const sliBase = { kind: {}, where: match };
const sli = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['availability', 'latency', 'pipeline'] } },
  allOf: [
    {
      if: { properties: { kind: { const: 'availability' } } },
      then: {
        properties: { ...sliBase, metric: name, bad: match },
        required: ['metric', 'bad'],
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'latency' } } },
      then: {
        properties: { ...sliBase, histogram: name, threshold: { type: 'number', exclusiveMinimum: 0 } },
        required: ['histogram', 'threshold'],
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'pipeline' } } },
      then: {
        properties: {
          kind: {},
          signals: {
            type: 'array',
            items: { enum: [...PIPELINE_EXPORT_SIGNALS] },
            minItems: 1,
            uniqueItems: true,
          },
        },
        additionalProperties: false,
      },
    },
  ],
};

const slo = {
  type: 'object',
  properties: {
    description,
    sli,
    // In percent: below 1 is a fraction meant as a percentage (0.999 for 99.9), refused.
    objective: { type: 'number', minimum: 1, exclusiveMaximum: 100 },
    window: { enum: ['30d', '28d', '7d'] },
    alerting: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { const: false },
          {
            type: 'object',
            properties: {
              severity: { enum: ['page', 'ticket'] },
              burnRate: { type: 'number', exclusiveMinimum: 0 },
              longWindow: promDuration,
              shortWindow: promDuration,
            },
            required: ['severity', 'burnRate', 'longWindow', 'shortWindow'],
            additionalProperties: false,
          },
        ],
      },
    },
    minEvents: { type: 'integer', minimum: 0 },
  },
  required: ['description', 'sli', 'objective'],
  additionalProperties: false,
};

const policyBase = { name, kind: {} };
const policy = {
  type: 'object',
  required: ['name', 'kind'],
  properties: { ...policyBase, kind: { enum: ['errors', 'latency', 'exemplar', 'attribute', 'budget'] } },
  allOf: [
    {
      if: { properties: { kind: { const: 'latency' } } },
      then: {
        properties: {
          ...policyBase,
          thresholdMs: { type: 'number', exclusiveMinimum: 0 },
          routes: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 } },
          routeAttribute: name,
        },
        required: ['thresholdMs'],
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'attribute' } } },
      then: {
        properties: {
          ...policyBase,
          key: name,
          values: { type: 'array', items: { type: 'string' }, minItems: 1 },
        },
        required: ['key', 'values'],
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'budget' } } },
      then: {
        properties: {
          ...policyBase,
          tracesPerSecond: { type: 'number', exclusiveMinimum: 0 },
          key: name,
          weights: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 } },
        },
        required: ['tracesPerSecond'],
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'errors' } } },
      then: {
        properties: {
          ...policyBase,
          budget: {
            type: 'object',
            properties: {
              tracesPerSecond: { type: 'number', exclusiveMinimum: 0 },
              key: name,
              weights: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 } },
            },
            required: ['tracesPerSecond'],
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
    {
      if: { properties: { kind: { const: 'exemplar' } } },
      then: {
        properties: { ...policyBase, tracesPerSecond: { type: 'number', exclusiveMinimum: 0 } },
        additionalProperties: false,
      },
    },
  ],
};

const sampling = {
  type: 'object',
  properties: {
    decisionWaitMs: { type: 'number', minimum: 0 },
    maxTraces: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    maxSpansPerTrace: { type: 'integer', minimum: 1 },
    maxBytes: { type: 'integer', minimum: 1024 },
    dryRun: { type: 'boolean' },
    policies: { type: 'array', items: policy },
  },
  required: ['policies'],
  additionalProperties: false,
};

const metricNames = { pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' };

export const telemetrySpecSchema = {
  type: 'object',
  properties: {
    specVersion: { const: 1 },
    schemaVersion: { type: 'string', minLength: 1 },
    service: {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
        version: name,
        environment: name,
      },
      required: ['name'],
      additionalProperties: false,
    },
    events: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' }, additionalProperties: event },
    counters: { type: 'object', propertyNames: metricNames, additionalProperties: counter },
    gauges: { type: 'object', propertyNames: metricNames, additionalProperties: gauge },
    histograms: { type: 'object', propertyNames: metricNames, additionalProperties: histogram },
    slos: { type: 'object', propertyNames: { pattern: '^[a-z0-9][a-z0-9-]*$' }, additionalProperties: slo },
    sampling,
    collector: {
      type: 'object',
      properties: { tls: { type: 'boolean' } },
      additionalProperties: false,
    },
    spans: {
      type: 'object',
      properties: {
        server: {
          type: 'object',
          properties: { convention: { enum: ['http'] }, attributes: attributeList },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  },
  required: ['service', 'events'],
  additionalProperties: false,
} as const;
