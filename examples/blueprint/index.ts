// What leaves the blueprint example: the service, its config, its telemetry spec and runtime
// port, its security pieces (tenant tokens, TLS reload, private files), its chaos switches, and
// the pieces the demo, tests and bench drive it with.
export { startBlueprint, type BlueprintService, type ServiceStats, type StartOptions } from './service.js';
export {
  loadConfig,
  parseConfig,
  ConfigError,
  type BlueprintConfig,
  type TenantConfig,
  type DependencyConfig,
  type TokenSource,
  type TlsConfig,
} from './config.js';
export {
  createTenantAuthenticator,
  readTenantTokens,
  MIN_TOKEN_LENGTH,
  type TenantAuthenticator,
  type AuthResult,
} from './tenant-auth.js';
export { TlsReloader, type ReloadReport } from './tls-reloader.js';
export { ensurePrivateFile, PRIVATE_FILE_MODE } from './private-file.js';
export {
  spec,
  type BlueprintSpec,
  OUTCOMES,
  DECISION_REASONS,
  AUTH_OUTCOMES,
  REFUSED_BODY_OUTCOMES,
} from './telemetry.js';
export {
  openTelemetry,
  createNoopTelemetry,
  type TelemetryPort,
  type TelemetryOptions,
} from './telemetry-port.js';
export {
  startDependency,
  type DependencyServer,
  type DependencyOptions,
  type Faults,
} from './dependency-server.js';
export { dependencySpec, type DependencySpec, type DependencyTelemetry } from './dependency-telemetry.js';
export {
  startDependencyProcess,
  type DependencyProcess,
  type DependencyProcessOptions,
} from './dependency-process.js';
export { OtlpRelay, type RelayedTrace } from './otlp-relay.js';
export { LoadGenerator, type LoadProfile, type LoadStats } from './loadgen.js';
export { countStoredEvents, storedRowsOfTrace } from './event-store.js';
export {
  CHAOS_PROFILES,
  chaosProfile,
  chaosOverride,
  chaosEnabled,
  ChaosProfileError,
  type ChaosSettings,
  type ChaosProfileName,
  type TailLatency,
} from './chaos-profiles.js';
export {
  createChaos,
  ChaosFault,
  CHAOS_ATTRIBUTE,
  type Chaos,
  type ChaosKind,
  type ChaosTarget,
} from './chaos.js';
