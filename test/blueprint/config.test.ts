import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../examples/blueprint/config.js';
import { createTenantAuthenticator, readTenantTokens } from '../../examples/blueprint/tenant-auth.js';
import { configIssues, dependenciesToml, UNREACHABLE_DEPENDENCIES } from '../support/blueprint.js';

const minimal = `
${dependenciesToml(UNREACHABLE_DEPENDENCIES)}
[tenants.acme]
class = "latency-sensitive"
queue_bound = 10
token_env = "ACME_TOKEN"
`;

describe('blueprint config', () => {
  it('defaults to the seed values', () => {
    const config = parseConfig(minimal, 'x', '/base');
    expect(config.ingress).toMatchObject({ maxInFlight: 2048, timeoutMs: 250 });
    expect(config.enrichment).toMatchObject({ fanout: 2, budgetMs: 80 });
    expect(config.storage).toMatchObject({
      minBatch: 25,
      maxBatch: 100,
      maxWaitMs: 50,
      path: '/base/blueprint.db',
    });
    expect(config.tenants).toEqual([
      { name: 'acme', class: 'latency-sensitive', queueBound: 10, token: { env: 'ACME_TOKEN' } },
    ]);
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.service.tls).toBeUndefined();
    expect(config.security).toEqual({ foldWindowMs: 10_000, maxLinesPerWindow: 100, tokenReloadMs: 5_000 });
    expect(config.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads the committed blueprint.toml', async () => {
    const config = await loadConfig(
      new URL('../../examples/blueprint/blueprint.toml', import.meta.url).pathname,
    );
    expect(config.service).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.tenants.every((t) => 'env' in t.token)).toBe(true);
    expect(config.tenants.map((t) => t.class)).toContain('best-effort');
  });

  it('names every bad key at once', () => {
    const issues = configIssues(`
[service]
listen = "nowhere"
[ingress]
max_in_flight = "lots"
timeout_ms = 0
[storage]
min_batch = 200
max_batch = 100
synchronous = "sometimes"
colour = "blue"
[enrichment]
fanout = 3
${minimal}`);
    const keys = issues.map((i) => i.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'service.listen',
        'ingress.max_in_flight',
        'ingress.timeout_ms',
        'storage.min_batch',
        'storage.synchronous',
        'storage.colour',
        'enrichment.fanout',
      ]),
    );
  });

  it('requires a tenant and a url per dependency', () => {
    const issues = configIssues('[enrichment]\nfanout = 1\n[dependencies.geo]\n');
    expect(issues.some((i) => i.startsWith('dependencies.geo.url: required'))).toBe(true);
    expect(issues.some((i) => i.startsWith('tenants:'))).toBe(true);
  });

  it('reports TOML syntax errors with their position', () => {
    expect(() => parseConfig('[ingress\nmax_in_flight = 1')).toThrow(/not valid TOML at line 1/);
  });

  it('refuses a budget that does not fit in the request timeout', () => {
    expect(configIssues(`[ingress]\ntimeout_ms = 50\n${minimal}`)).toContain(
      'enrichment.budget_ms: must be below ingress.timeout_ms (50), got 80',
    );
  });
});

describe('blueprint config: secrets, TLS, admin listener', () => {
  const tenant = (keys: string) => `
[dependencies.geo]
url = "http://127.0.0.1:1"
[dependencies.profile]
url = "http://127.0.0.1:2"
[tenants.acme]
${keys}
`;

  it('refuses a literal token, naming the key and never echoing the value', () => {
    const issues = configIssues(tenant('token = "s3cret-s3cret-s3cret"\ntoken_env = "ACME_TOKEN"'));
    expect(issues).toEqual([
      'tenants.acme.token: a literal token is refused (it would sit in the file); use tenants.acme.token_env or tenants.acme.token_file',
    ]);
    expect(issues.join('\n')).not.toContain('s3cret');
  });

  it('requires exactly one token source per tenant', () => {
    expect(configIssues(tenant(''))).toEqual([
      'tenants.acme.token_env: required (or tenants.acme.token_file): every tenant authenticates',
    ]);
    expect(configIssues(tenant('token_env = "A_TOKEN"\ntoken_file = "t"'))).toEqual([
      'tenants.acme: set one of token_env and token_file, not both',
    ]);
    expect(configIssues(tenant('token_env = "not a name"'))[0]).toMatch(
      /^tenants\.acme\.token_env: expected/,
    );
  });

  it('resolves token_file against the config folder; TLS paths too, and both keys come as a pair', () => {
    const config = parseConfig(
      `[service]\ntls_cert = "tls/cert.pem"\ntls_key = "tls/key.pem"\ntls_reload_ms = 100\n${tenant('token_file = "acme.token"')}`,
      'x',
      '/base',
    );
    expect(config.tenants[0]!.token).toEqual({ file: '/base/acme.token' });
    expect(config.service.tls).toEqual({
      certPath: '/base/tls/cert.pem',
      keyPath: '/base/tls/key.pem',
      reloadIntervalMs: 100,
    });
    expect(configIssues(`[service]\ntls_cert = "c.pem"\n${tenant('token_env = "T"')}`)).toEqual([
      'service.tls_key: required',
    ]);
  });

  it('reads [admin] and [security]', () => {
    const config = parseConfig(
      `[admin]\nlisten = "0.0.0.0:9100"\ntoken_env = "ADMIN_TOKEN"\n[security]\nlog = "sec.ndjson"\nfold_window_ms = 500\nmax_lines_per_window = 7\ntoken_reload_ms = 250\n${tenant('token_env = "T"')}`,
      'x',
      '/base',
    );
    expect(config.admin).toEqual({ host: '0.0.0.0', port: 9100, tokenEnv: 'ADMIN_TOKEN' });
    expect(config.security).toEqual({
      logPath: '/base/sec.ndjson',
      foldWindowMs: 500,
      maxLinesPerWindow: 7,
      tokenReloadMs: 250,
    });
    expect(configIssues(`[admin]\nlisten = "x"\n${tenant('token_env = "T"')}`)[0]).toMatch(/^admin\.listen:/);
  });

  it('refuses an admin listener off loopback without an admin token', () => {
    const issues = configIssues(`[admin]\nlisten = "0.0.0.0:9100"\n${tenant('token_env = "T"')}`);
    expect(issues).toEqual([
      expect.stringMatching(/^admin\.listen: 0\.0\.0\.0 is not a loopback address; set admin\.token_env/),
    ]);
    expect(parseConfig(`[admin]\nlisten = "[::1]:9100"\n${tenant('token_env = "T"')}`).admin.host).toBe(
      '[::1]',
    );
  });

  it('reads the connection bounds and refuses a request timeout shorter than the headers timeout', () => {
    const config = parseConfig(minimal);
    expect(config.service).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1024,
      maxConnectionsPerAddress: 256,
    });
    expect(
      configIssues(
        `[service]\nheaders_timeout_ms = 5000\nrequest_timeout_ms = 1000\n${tenant('token_env = "T"')}`,
      ),
    ).toEqual(['service.request_timeout_ms: must be at least service.headers_timeout_ms (5000), got 1000']);
  });
});

describe('tenant tokens', () => {
  const config = parseConfig(minimal);
  const good = 'a-token-of-twenty-four-c';

  it('reads tokens from the environment and authenticates bearer tokens in constant time', () => {
    const auth = createTenantAuthenticator(config.tenants, { ACME_TOKEN: good });
    expect(auth.authenticate('acme', `Bearer ${good}`)).toEqual({ ok: true, tenant: 'acme' });
    expect(auth.authenticate('acme', `bearer ${good}`)).toEqual({ ok: true, tenant: 'acme' });
    expect(auth.authenticate('acme', `Bearer ${good}x`)).toEqual({ ok: false, outcome: 'wrong_token' });
    expect(auth.authenticate('acme', undefined)).toEqual({ ok: false, outcome: 'missing_token' });
    expect(auth.authenticate('acme', good)).toEqual({ ok: false, outcome: 'missing_token' });
    expect(auth.authenticate('nobody', `Bearer ${good}`)).toEqual({ ok: false, outcome: 'unknown_tenant' });
    expect(auth.authenticate(['acme'], `Bearer ${good}`)).toEqual({ ok: false, outcome: 'unknown_tenant' });
  });

  it('refuses to start without a token, with a short one, or with a token file others can read', () => {
    expect(() => readTenantTokens(config.tenants, {})).toThrow(
      /tenants\.acme\.token_env: environment variable ACME_TOKEN is not set or empty/,
    );
    expect(() => readTenantTokens(config.tenants, { ACME_TOKEN: 'short' })).toThrow(/at least 16 characters/);
    const dir = mkdtempSync(join(tmpdir(), 'blueprint-token-'));
    try {
      const file = join(dir, 'acme.token');
      writeFileSync(file, `${good}\n`, { mode: 0o644 });
      chmodSync(file, 0o644);
      const fromFile = parseConfig(
        minimal.replace('token_env = "ACME_TOKEN"', 'token_file = "acme.token"'),
        'x',
        dir,
      );
      expect(() => readTenantTokens(fromFile.tenants, {})).toThrow(
        /tenants\.acme\.token_file: .* is readable by group or others \(mode 644\); chmod 600 it/,
      );
      chmodSync(file, 0o600);
      expect(readTenantTokens(fromFile.tenants, {}).get('acme')).toBe(good);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a rotated token file at once, and keeps the current token when the new file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blueprint-token-'));
    try {
      const file = join(dir, 'acme.token');
      writeFileSync(file, `${good}\n`, { mode: 0o600 });
      const fromFile = parseConfig(
        minimal.replace('token_env = "ACME_TOKEN"', 'token_file = "acme.token"'),
        'x',
        dir,
      );
      const auth = createTenantAuthenticator(fromFile.tenants, {});
      expect(auth.reloadTokenFiles()).toEqual([]); // unchanged: nothing to report

      const rotated = 'the-rotated-token-0123456789';
      writeFileSync(file, `${rotated}\n`);
      expect(auth.reloadTokenFiles()).toEqual([{ tenant: 'acme', file, outcome: 'reloaded' }]);
      expect(auth.authenticate('acme', `Bearer ${rotated}`)).toEqual({ ok: true, tenant: 'acme' });
      expect(auth.authenticate('acme', `Bearer ${good}`)).toEqual({ ok: false, outcome: 'wrong_token' });

      // A bad write (too short, then readable by others): refused, reported once, current token stays.
      writeFileSync(file, 'short\n');
      const [refused] = auth.reloadTokenFiles();
      expect(refused).toMatchObject({
        tenant: 'acme',
        outcome: 'failed',
        error: expect.stringMatching(/at least 16/),
      });
      expect(JSON.stringify(refused)).not.toContain('short');
      expect(auth.reloadTokenFiles()).toEqual([]);
      expect(auth.authenticate('acme', `Bearer ${rotated}`)).toEqual({ ok: true, tenant: 'acme' });
      writeFileSync(file, 'a-third-token-0123456789\n');
      chmodSync(file, 0o644);
      expect(auth.reloadTokenFiles()).toMatchObject([
        { outcome: 'failed', error: expect.stringMatching(/chmod 600/) },
      ]);
      expect(auth.authenticate('acme', `Bearer ${rotated}`)).toEqual({ ok: true, tenant: 'acme' });
      chmodSync(file, 0o600);
      expect(auth.reloadTokenFiles()).toEqual([{ tenant: 'acme', file, outcome: 'reloaded' }]);
      expect(auth.authenticate('acme', 'Bearer a-third-token-0123456789')).toEqual({
        ok: true,
        tenant: 'acme',
      });
      expect(auth.authenticate('acme', `Bearer ${rotated}`)).toEqual({ ok: false, outcome: 'wrong_token' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never reads environment tokens again', () => {
    const env: NodeJS.ProcessEnv = { ACME_TOKEN: good };
    const auth = createTenantAuthenticator(config.tenants, env);
    env['ACME_TOKEN'] = 'a-changed-environment-token';
    expect(auth.reloadTokenFiles()).toEqual([]);
    expect(auth.authenticate('acme', `Bearer ${good}`)).toEqual({ ok: true, tenant: 'acme' });
  });
});
