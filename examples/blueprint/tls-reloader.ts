// Certificate rotation without a restart: the key and certificate files are polled (a poll, not
// fs.watch, because rotations rename files over each other and watchers lose track of renamed
// inodes) and a changed pair is installed with server.setSecureContext for new connections.
// A pair that does not load (half written, key and certificate not matching) keeps the old one.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import type { TlsConfig } from './config.js';

export interface TlsPairFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface ReloadReport {
  readonly outcome: 'reloaded' | 'failed';
  readonly fingerprint?: string;
  readonly error?: string;
}

/** Reads the pair at startup; a ConfigError-worthy failure is the caller's to report. */
export function readTlsPair(tls: TlsConfig): TlsPairFiles {
  return { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) };
}

export function certificateFingerprint(cert: Buffer): string {
  return new X509Certificate(cert).fingerprint256;
}

export class TlsReloader {
  private applied: string;
  /** A pair that failed once: reported only if it fails again (a rotation may be mid-way). */
  private failedOnce: string | undefined;
  private reportedFailure: string | undefined;
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly server: Server,
    private readonly tls: TlsConfig,
    initial: TlsPairFiles,
    private readonly report: (report: ReloadReport) => void,
  ) {
    this.applied = pairDigest(initial);
    this.timer = setInterval(() => void this.poll(), tls.reloadIntervalMs);
    this.timer.unref();
  }

  /** Checks the files now; resolves once a changed pair was installed or refused. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      let pair: TlsPairFiles;
      try {
        const [cert, key] = await Promise.all([readFile(this.tls.certPath), readFile(this.tls.keyPath)]);
        pair = { cert, key };
      } catch {
        return; // a file renamed away for a moment: the next poll sees the new one
      }
      const digest = pairDigest(pair);
      if (digest === this.applied) return;
      try {
        this.server.setSecureContext({ cert: pair.cert, key: pair.key });
        this.applied = digest;
        this.failedOnce = undefined;
        this.report({ outcome: 'reloaded', fingerprint: certificateFingerprint(pair.cert) });
      } catch (error) {
        if (this.failedOnce !== digest) {
          this.failedOnce = digest;
          return;
        }
        if (this.reportedFailure === digest) return;
        this.reportedFailure = digest;
        this.report({ outcome: 'failed', error: (error as Error).message.split('\n')[0] ?? 'error' });
      }
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function pairDigest(pair: TlsPairFiles): string {
  return createHash('sha256').update(pair.cert).update('\0').update(pair.key).digest('hex');
}
