// The blueprint as a process: `tsx examples/blueprint/main.ts <config.toml> [--log <path>]`.
// SIGTERM or SIGINT drains (no accepted event is lost) and exits 0; a bad config exits 2.
// BLUEPRINT_CHAOS=<profile> replaces the config's [chaos] for this run.
import { ChaosProfileError, chaosEnabled, chaosOverride } from './chaos-profiles.js';
import { ConfigError, loadConfig } from './config.js';
import { startBlueprint } from './service.js';
import { openTelemetry } from './telemetry-port.js';

const args = process.argv.slice(2);
const configPath =
  args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--log') ??
  new URL('./blueprint.toml', import.meta.url).pathname;
const logIndex = args.indexOf('--log');
const logDestination = logIndex >= 0 ? args[logIndex + 1] : undefined;

let config;
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

const telemetry = await openTelemetry({ logDestination: logDestination ?? 1 });
const service = await startBlueprint(config, telemetry);
const chaosNote = chaosEnabled(config.chaos) ? `, chaos profile ${config.chaos.profile}` : '';
process.stderr.write(`blueprint listening on ${service.url} (store ${config.storage.path}${chaosNote})\n`);

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
