// The blueprint inside the test's own process: its loopback dependencies, a config written into a
// fresh directory, plumbline's telemetry over the blueprint spec, and the service; `stop` drains
// it and undoes the rest. Tests that need the process boundary use startBlueprintProcess.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../examples/blueprint/config.js';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { startBlueprint, type BlueprintService } from '../../examples/blueprint/service.js';
import {
  openTelemetry,
  type TelemetryOptions,
  type TelemetryPort,
} from '../../examples/blueprint/telemetry-port.js';
import { startDependencies } from './blueprint.js';

export interface InProcessBlueprintOptions {
  /** Prefix of the fresh directory in the OS temp dir. */
  readonly prefix: string;
  /** Runs first, in the directory (e.g. writes certificates the config names). */
  readonly prepare?: (dir: string) => void;
  /** The config text, given the directory and the started dependencies (geo first). */
  readonly toml: (dir: string, deps: readonly DependencyServer[]) => string;
  /** Config paths resolve against the directory rather than the working directory. */
  readonly pathsRelativeToDir?: boolean;
  readonly telemetry: (dir: string) => TelemetryOptions;
  /** The environment the config's token_env names read from. */
  readonly env: Readonly<Record<string, string>>;
}

export interface InProcessBlueprint {
  readonly dir: string;
  readonly deps: readonly DependencyServer[];
  readonly telemetry: TelemetryPort;
  readonly service: BlueprintService;
  /** Drains the service, shuts telemetry down, closes the dependencies, removes the directory. */
  stop(): Promise<void>;
}

export async function startInProcessBlueprint(
  options: InProcessBlueprintOptions,
): Promise<InProcessBlueprint> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  let deps: DependencyServer[] = [];
  let telemetry: TelemetryPort | undefined;
  let service: BlueprintService | undefined;
  const stop = async (): Promise<void> => {
    await service?.drain();
    await telemetry?.shutdown();
    await Promise.all(deps.map((dep) => dep.close()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    options.prepare?.(dir);
    deps = await startDependencies();
    const text = options.toml(dir, deps);
    const config = options.pathsRelativeToDir ? parseConfig(text, 'test.toml', dir) : parseConfig(text);
    telemetry = await openTelemetry(options.telemetry(dir));
    service = await startBlueprint(config, telemetry, { env: { ...options.env } });
  } catch (error) {
    // Whatever started is stopped: a failed start leaves no listener or directory behind.
    await stop().catch(() => {});
    throw error;
  }
  return { dir, deps, telemetry, service, stop };
}
