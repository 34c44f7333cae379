// What leaves the blueprint example: the service, its config, its telemetry spec and runtime
// port, its chaos switches, and the pieces the demo, tests and bench drive it with.
export { startBlueprint, type BlueprintService, type ServiceStats } from './service.js';
export {
  loadConfig,
  parseConfig,
  ConfigError,
  type BlueprintConfig,
  type TenantConfig,
  type DependencyConfig,
} from './config.js';
export { spec, type BlueprintSpec, OUTCOMES, DECISION_REASONS } from './telemetry.js';
export {
  openTelemetry,
  createNoopTelemetry,
  type TelemetryPort,
  type TelemetryOptions,
} from './telemetry-port.js';
export { startDependency, type DependencyServer, type Faults } from './dependency-server.js';
export { LoadGenerator, type LoadProfile, type LoadStats } from './loadgen.js';
export { countStoredEvents } from './event-store.js';
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
