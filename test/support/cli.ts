// The CLI in the test's own process, with its output captured: what a user sees, and the exit code.
import type { LiveCheckReport } from '../../src/check/index.js';
import { main } from '../../src/cli/main.js';
import { freePort, waitFor } from './process.js';

export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/**
 * `plumbline check live --json` for `duration` against the app `startApp` starts (given the
 * endpoint of the check's OTLP listener, on a free port): its /metrics is scraped, `drive` sends
 * its traffic once the check listens, and `stop` runs at the end. Resolves to the exit code and the
 * JSON report.
 */
export async function runCheckLive(
  specPath: string,
  duration: string,
  startApp: (
    otlpEndpoint: string,
  ) => Promise<{ url: string; drive: () => Promise<void>; stop: () => Promise<void> }>,
): Promise<{ code: number; report: LiveCheckReport }> {
  const otlpPort = await freePort();
  const app = await startApp(`http://127.0.0.1:${otlpPort}`);
  let stdout = '';
  let stderr = '';
  try {
    const running = main(
      [
        'check',
        'live',
        '--spec',
        specPath,
        '--metrics',
        `${app.url}/metrics`,
        '--otlp-listen',
        `127.0.0.1:${otlpPort}`,
        '--duration',
        duration,
        '--scrape-interval',
        '200ms',
        '--json',
      ],
      { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    );
    await waitFor('the check to listen', () => (stderr.includes('receiving OTLP/HTTP') ? true : undefined));
    await app.drive();
    const code = await running;
    return { code, report: JSON.parse(stdout) as LiveCheckReport };
  } finally {
    await app.stop();
  }
}
