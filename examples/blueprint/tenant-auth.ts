// Tenant authentication: each tenant presents its bearer token (`authorization: Bearer <token>`)
// with its name (`x-tenant`). Tokens are read at startup from the environment or a file and kept
// only as SHA-256 digests, compared in constant time; no token ever reaches a log or a span. Token
// files are read again on demand (the service polls them), so a token is rotated by rewriting its
// file: the new token works and the old one stops at once, without a restart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError, type TenantConfig } from './config.js';

/** Shorter tokens are refused at startup: a guessable token is no authentication. */
export const MIN_TOKEN_LENGTH = 16;

export type AuthResult =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly outcome: 'unknown_tenant' | 'missing_token' | 'wrong_token' };

export interface TenantAuthenticator {
  authenticate(tenantHeader: string | string[] | undefined, authorization: string | undefined): AuthResult;
  /**
   * Reads the tenants' token files again. A changed token replaces the tenant's token at once; a
   * file that fails the startup checks (unreadable, readable by others, too short) leaves the
   * current token in force and is reported once until it changes. Environment tokens are fixed
   * for the life of the process. Returns what changed (never a token).
   */
  reloadTokenFiles(): TokenReload[];
  /**
   * What may be written about a claimed tenant (the x-tenant header, as sent): the value when it
   * could be a tenant name and is no tenant's token; otherwise only its class. A client that puts
   * its token in the wrong header must not get it written to the security log.
   */
  describeClaim(tenantHeader: string | string[] | undefined): string;
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface TokenReload {
  readonly tenant: string;
  /** The token file. */
  readonly file: string;
  readonly outcome: 'reloaded' | 'failed';
  /** Why the file was refused (which check, never its content). */
  readonly error?: string;
}

/**
 * Reads every tenant's token (environment variable or file). Throws ConfigError naming each key
 * whose token is missing, too short, or in a file others can read.
 */
export function readTenantTokens(
  tenants: readonly TenantConfig[],
  env: NodeJS.ProcessEnv = process.env,
  source = '<config>',
): Map<string, string> {
  const issues: string[] = [];
  const tokens = new Map<string, string>();
  for (const tenant of tenants) {
    const token = readToken(tenant, env, issues);
    if (token !== undefined) tokens.set(tenant.name, token);
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return tokens;
}

/** Reads the tokens (see readTenantTokens) and keeps only their digests. */
export function createTenantAuthenticator(
  tenants: readonly TenantConfig[],
  env: NodeJS.ProcessEnv = process.env,
  source = '<config>',
): TenantAuthenticator {
  const digests = new Map<string, Buffer>();
  for (const [name, token] of readTenantTokens(tenants, env, source)) digests.set(name, digest(token));
  /** The last refusal reported per tenant, so a file left broken is reported once. */
  const refused = new Map<string, string>();
  return {
    reloadTokenFiles() {
      const reports: TokenReload[] = [];
      for (const tenant of tenants) {
        if ('env' in tenant.token) continue;
        const file = tenant.token.file;
        const issues: string[] = [];
        const token = readToken(tenant, env, issues);
        if (token === undefined) {
          const error = issues.join('; ');
          if (refused.get(tenant.name) !== error)
            reports.push({ tenant: tenant.name, file, outcome: 'failed', error });
          refused.set(tenant.name, error);
          continue;
        }
        refused.delete(tenant.name);
        const next = digest(token);
        if (digests.get(tenant.name)?.equals(next) === true) continue;
        digests.set(tenant.name, next);
        reports.push({ tenant: tenant.name, file, outcome: 'reloaded' });
      }
      return reports;
    },
    describeClaim(tenantHeader) {
      if (tenantHeader === undefined) return '';
      if (typeof tenantHeader !== 'string') return `(${tenantHeader.length} x-tenant headers)`;
      const value = tenantHeader.trim();
      const bare = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
      const candidate = digest(bare);
      for (const known of digests.values()) if (timingSafeEqual(known, candidate)) return '(a tenant token)';
      if (bare !== value) return '(a bearer credential)';
      if (!TENANT_NAME.test(value)) return `(not a tenant name: ${value.length} characters)`;
      return value;
    },
    authenticate(tenantHeader, authorization) {
      const expected = typeof tenantHeader === 'string' ? digests.get(tenantHeader) : undefined;
      const presented = bearerToken(authorization);
      // The presented token is digested and compared whether or not the tenant exists, so the
      // answer's timing does not tell a caller which tenants exist. Digests have one length, so
      // the comparison time says nothing about the token either.
      const matches = timingSafeEqual(expected ?? UNKNOWN_TENANT_DIGEST, digest(presented ?? ''));
      if (expected === undefined) return { ok: false, outcome: 'unknown_tenant' };
      if (presented === undefined) return { ok: false, outcome: 'missing_token' };
      if (!matches) return { ok: false, outcome: 'wrong_token' };
      return { ok: true, tenant: tenantHeader as string };
    },
  };
}

function readToken(tenant: TenantConfig, env: NodeJS.ProcessEnv, issues: string[]): string | undefined {
  const key = `tenants.${tenant.name}`;
  let token: string | undefined;
  if ('env' in tenant.token) {
    token = env[tenant.token.env]?.trim();
    if (token === undefined || token === '') {
      issues.push(`${key}.token_env: environment variable ${tenant.token.env} is not set or empty`);
      return undefined;
    }
  } else {
    const path = tenant.token.file;
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        issues.push(
          `${key}.token_file: ${path} is readable by group or others (mode ${mode.toString(8)}); chmod 600 it`,
        );
        return undefined;
      }
      token = readFileSync(path, 'utf8').trim();
    } catch (error) {
      issues.push(
        `${key}.token_file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return undefined;
    }
  }
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    issues.push(
      `${key}.${'env' in tenant.token ? 'token_env' : 'token_file'}: a token is at least ${MIN_TOKEN_LENGTH} characters without whitespace`,
    );
    return undefined;
  }
  return token;
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length < 8) return undefined;
  if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  return token === '' ? undefined : token;
}

/** Compared against when the tenant is unknown: no token's digest (a random value). */
const UNKNOWN_TENANT_DIGEST = randomBytes(32);

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
