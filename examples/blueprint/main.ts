// The blueprint as a process: `tsx examples/blueprint/main.ts <config.toml> [--log <path>]`.
// SIGTERM or SIGINT drains (no accepted event is lost) and exits 0; a bad config exits 2.
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
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `cannot read config ${configPath}: ${(error as Error).message}`}\n`,
  );
  process.exit(2);
}

const telemetry = await openTelemetry({ logDestination: logDestination ?? 1 });
const service = await startBlueprint(config, telemetry);
process.stderr.write(`blueprint listening on ${service.url} (store ${config.storage.path})\n`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`blueprint: ${signal}, draining\n`);
  await service.drain();
  await telemetry.shutdown();
  process.stderr.write(`blueprint drained: ${JSON.stringify(service.stats)}\n`);
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
