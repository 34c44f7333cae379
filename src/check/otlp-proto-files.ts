// The OTLP messages as protobuf schema, for decoding OTLP/HTTP requests sent as
// application/x-protobuf (the collector's otlphttp exporter default). Copied from
// open-telemetry/opentelemetry-proto (opentelemetry/proto/**, commit ac2c4b5) without comments,
// options and services; field numbers are the wire contract, so they stay exactly as there.
// OTLP wraps every signal alike (<Data>Data, Resource<Signals>, Scope<Signals>, and the
// collector's Export<Signal>Service request, response and partial success), so that envelope is
// written once from the SIGNALS table; each signal's own messages are copied as they are.

/** opentelemetry/proto/common/v1/common.proto */
const COMMON = `syntax = "proto3";
package opentelemetry.proto.common.v1;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
    int32 string_value_strindex = 8;
  }
}
message ArrayValue {
  repeated AnyValue values = 1;
}
message KeyValueList {
  repeated KeyValue values = 1;
}
message KeyValue {
  string key = 1;
  AnyValue value = 2;
  int32 key_strindex = 3;
}
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message EntityRef {
  string schema_url = 1;
  string type = 2;
  repeated string id_keys = 3;
  repeated string description_keys = 4;
}
`;

/** opentelemetry/proto/resource/v1/resource.proto */
const RESOURCE = `syntax = "proto3";
package opentelemetry.proto.resource.v1;
message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated opentelemetry.proto.common.v1.EntityRef entity_refs = 3;
}
`;

interface SignalProto {
  /** The package: opentelemetry.proto.<pkg>.v1 and opentelemetry.proto.collector.<pkg>.v1. */
  readonly pkg: 'trace' | 'logs' | 'metrics';
  /** The file's top message: <Data>Data. */
  readonly data: string;
  /** In the collector's names: Export<Service>ServiceRequest. */
  readonly service: string;
  /** In the envelope's names: Resource<Signals>, resource_<signals>. */
  readonly signals: string;
  /** What Scope<Signals> holds: `repeated <type> <field> = 2`. */
  readonly records: { readonly type: string; readonly field: string };
  /** The partial success's count: `int64 <rejected> = 1`. */
  readonly rejected: string;
  /** The signal's own messages, as copied. */
  readonly messages: string;
}

const SIGNALS: readonly SignalProto[] = [
  {
    pkg: 'trace',
    data: 'Traces',
    service: 'Trace',
    signals: 'Spans',
    records: { type: 'Span', field: 'spans' },
    rejected: 'rejected_spans',
    // opentelemetry/proto/trace/v1/trace.proto
    messages: `message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode {
    STATUS_CODE_UNSET               = 0;
    STATUS_CODE_OK                  = 1;
    STATUS_CODE_ERROR               = 2;
  };
  StatusCode code = 3;
}
enum SpanFlags {
  SPAN_FLAGS_DO_NOT_USE = 0;
  SPAN_FLAGS_TRACE_FLAGS_MASK = 0x000000FF;
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x00000100;
  SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x00000200;
}
`,
  },
  {
    pkg: 'logs',
    data: 'Logs',
    service: 'Logs',
    signals: 'Logs',
    records: { type: 'LogRecord', field: 'log_records' },
    rejected: 'rejected_log_records',
    // opentelemetry/proto/logs/v1/logs.proto
    messages: `enum SeverityNumber {
  SEVERITY_NUMBER_UNSPECIFIED = 0;
  SEVERITY_NUMBER_TRACE  = 1;
  SEVERITY_NUMBER_TRACE2 = 2;
  SEVERITY_NUMBER_TRACE3 = 3;
  SEVERITY_NUMBER_TRACE4 = 4;
  SEVERITY_NUMBER_DEBUG  = 5;
  SEVERITY_NUMBER_DEBUG2 = 6;
  SEVERITY_NUMBER_DEBUG3 = 7;
  SEVERITY_NUMBER_DEBUG4 = 8;
  SEVERITY_NUMBER_INFO   = 9;
  SEVERITY_NUMBER_INFO2  = 10;
  SEVERITY_NUMBER_INFO3  = 11;
  SEVERITY_NUMBER_INFO4  = 12;
  SEVERITY_NUMBER_WARN   = 13;
  SEVERITY_NUMBER_WARN2  = 14;
  SEVERITY_NUMBER_WARN3  = 15;
  SEVERITY_NUMBER_WARN4  = 16;
  SEVERITY_NUMBER_ERROR  = 17;
  SEVERITY_NUMBER_ERROR2 = 18;
  SEVERITY_NUMBER_ERROR3 = 19;
  SEVERITY_NUMBER_ERROR4 = 20;
  SEVERITY_NUMBER_FATAL  = 21;
  SEVERITY_NUMBER_FATAL2 = 22;
  SEVERITY_NUMBER_FATAL3 = 23;
  SEVERITY_NUMBER_FATAL4 = 24;
}
enum LogRecordFlags {
  LOG_RECORD_FLAGS_DO_NOT_USE = 0;
  LOG_RECORD_FLAGS_TRACE_FLAGS_MASK = 0x000000FF;
}
message LogRecord {
  reserved 4;
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  SeverityNumber severity_number = 2;
  string severity_text = 3;
  opentelemetry.proto.common.v1.AnyValue body = 5;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
`,
  },
  {
    pkg: 'metrics',
    data: 'Metrics',
    service: 'Metrics',
    signals: 'Metrics',
    records: { type: 'Metric', field: 'metrics' },
    rejected: 'rejected_data_points',
    // opentelemetry/proto/metrics/v1/metrics.proto
    messages: `message Metric {
  reserved 4, 6, 8;
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
  repeated opentelemetry.proto.common.v1.KeyValue metadata = 12;
}
message Gauge {
  repeated NumberDataPoint data_points = 1;
}
message Sum {
  repeated NumberDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
  bool is_monotonic = 3;
}
message Histogram {
  repeated HistogramDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
}
message ExponentialHistogram {
  repeated ExponentialHistogramDataPoint data_points = 1;
  AggregationTemporality aggregation_temporality = 2;
}
message Summary {
  repeated SummaryDataPoint data_points = 1;
}
enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0;
  AGGREGATION_TEMPORALITY_DELTA = 1;
  AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
enum DataPointFlags {
  DATA_POINT_FLAGS_DO_NOT_USE = 0;
  DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK = 1;
}
message NumberDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  oneof value {
    double as_double = 4;
    sfixed64 as_int = 6;
  }
  repeated Exemplar exemplars = 5;
  uint32 flags = 8;
}
message HistogramDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
  repeated Exemplar exemplars = 8;
  uint32 flags = 10;
  optional double min = 11;
  optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  optional double sum = 5;
  sint32 scale = 6;
  fixed64 zero_count = 7;
  Buckets positive = 8;
  Buckets negative = 9;
  message Buckets {
    sint32 offset = 1;
    repeated uint64 bucket_counts = 2;
  }
  uint32 flags = 10;
  repeated Exemplar exemplars = 11;
  optional double min = 12;
  optional double max = 13;
  double zero_threshold = 14;
}
message SummaryDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  double sum = 5;
  message ValueAtQuantile {
    double quantile = 1;
    double value = 2;
  }
  repeated ValueAtQuantile quantile_values = 6;
  uint32 flags = 8;
}
message Exemplar {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue filtered_attributes = 7;
  fixed64 time_unix_nano = 2;
  oneof value {
    double as_double = 3;
    sfixed64 as_int = 6;
  }
  bytes span_id = 4;
  bytes trace_id = 5;
}
`,
  },
];

/** opentelemetry/proto/<pkg>/v1/<pkg>.proto: the envelope, then the signal's own messages. */
function signalFile({ pkg, data, signals, records, messages }: SignalProto): string {
  const plural = signals.toLowerCase();
  return `syntax = "proto3";
package opentelemetry.proto.${pkg}.v1;
message ${data}Data {
  repeated Resource${signals} resource_${plural} = 1;
}
message Resource${signals} {
  reserved 1000;
  opentelemetry.proto.resource.v1.Resource resource = 1;
  repeated Scope${signals} scope_${plural} = 2;
  string schema_url = 3;
}
message Scope${signals} {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1;
  repeated ${records.type} ${records.field} = 2;
  string schema_url = 3;
}
${messages}`;
}

/** opentelemetry/proto/collector/<pkg>/v1/<pkg>_service.proto, without the service itself. */
function serviceFile({ pkg, service, signals, rejected }: SignalProto): string {
  return `syntax = "proto3";
package opentelemetry.proto.collector.${pkg}.v1;
message Export${service}ServiceRequest {
  repeated opentelemetry.proto.${pkg}.v1.Resource${signals} resource_${signals.toLowerCase()} = 1;
}
message Export${service}ServiceResponse {
  Export${service}PartialSuccess partial_success = 1;
}
message Export${service}PartialSuccess {
  int64 ${rejected} = 1;
  string error_message = 2;
}
`;
}

export const OTLP_PROTO_FILES: readonly string[] = [
  COMMON,
  RESOURCE,
  ...SIGNALS.map(signalFile),
  ...SIGNALS.map(serviceFile),
];
