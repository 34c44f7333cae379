// The blueprint as a process:
//   node --import tsx examples/blueprint/main.ts <config.toml> [--log <path>] [--security-log <path>]
// Run it as one process (node --import tsx, or node on compiled JS), not under the `tsx` CLI,
// whose signal relay SIGKILLs a child that is slow to confirm a SIGTERM (exit 143, no drain).
// Event logs go to --log (default stdout); security events to --security-log, else the config's
// [security] log, else stderr — never the event log. Tenant tokens come from the environment or
// files the config names. SIGTERM or SIGINT drains (no accepted event is lost) and exits 0; a bad
// config or an unreadable token or key exits 2. BLUEPRINT_CHAOS=<profile> replaces [chaos].

import { ChaosProfileError, chaosEnabled, chaosOverride } from './chaos-profiles.js';
import { ConfigError, loadConfig, type BlueprintConfig } from './config.js';
import { startBlueprint } from './service.js';
import { openTelemetry } from './telemetry-port.js';

// Whatever else this process creates (SQLite journals, logs) is owner-only too.
process.umask(0o077);

const VALUE_FLAGS = ['--log', '--security-log'];
const args = process.argv.slice(2);
const configPath =
  args.find((a, i) => !a.startsWith('--') && !VALUE_FLAGS.includes(args[i - 1] ?? '')) ??
  new URL('./blueprint.toml', import.meta.url).pathname;
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const logDestination = flag('--log');

let config: BlueprintConfig;
try {
  config = await loadConfig(configPath);
  const chaos = chaosOverride(process.env.BLUEPRINT_CHAOS, 'BLUEPRINT_CHAOS');
  if (chaos !== undefined) config = { ...config, chaos };
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError || error instanceof ChaosProfileError ? error.message : `cannot read config ${configPath}: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
}

const telemetry = await openTelemetry({
  logDestination: logDestination ?? 1,
  securityLogDestination: flag('--security-log') ?? config.security.logPath ?? 2,
  securityLog: {
    foldWindowMs: config.security.foldWindowMs,
    maxLinesPerWindow: config.security.maxLinesPerWindow,
  },
});
let service;
try {
  service = await startBlueprint(config, telemetry);
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `cannot start: ${(error as Error).message}`}\n`,
  );
  await telemetry.shutdown();
  process.exit(2);
}
const chaosNote = chaosEnabled(config.chaos) ? `, chaos profile ${config.chaos.profile}` : '';
process.stderr.write(
  `blueprint listening on ${service.url} (pid ${process.pid}, admin ${service.adminUrl}, store ${config.storage.path}${chaosNote})\n`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`blueprint: ${signal}, draining\n`);
  await service.drain();
  await telemetry.shutdown();
  process.stderr.write(`blueprint drained: ${JSON.stringify(service.stats)}\n`);
  if (service.chaos !== undefined)
    process.stderr.write(`blueprint chaos injected: ${JSON.stringify(service.chaos.injected)}\n`);
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
