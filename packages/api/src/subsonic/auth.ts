import type { Ctx } from "@jonquils/core";
import { digestApiKey, findApiKeyOwner } from "@jonquils/core/api-key/index";
import {
  activeAppPasswordSecrets,
  envelopeKeyFromConfig,
  touchAppPassword,
} from "@jonquils/core/app-password/index";
import { passwordFitsBcrypt, verifyPassword } from "@jonquils/core/auth/password";
import { recordAudit } from "@jonquils/core/audit/audit";
import {
  accountCredentialState,
  findUserByLogin,
  passwordDigestOf,
} from "@jonquils/core/user/user";
import { bumpNamespace, namespaceKey } from "@jonquils/core/util/json-cache";
import type { UserRole } from "@jonquils/core/user/user.sql";
import { createLru } from "@jonquils/core/util/lru";
import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiDeps } from "../env";
import type { Params } from "./params";
import { SubsonicError, SubsonicErrors } from "./response";

export interface SubsonicUser {
  userId: string;
  username: string;
  email: string;
  role: UserRole;
  via: "password" | "app-password" | "api-key";
}

/**
 * A successful sign-in is remembered this long (in the Cache port: memory or Redis), keyed by a
 * digest of the credentials, under a per-account (or per-key) generation that a revoke, a
 * disabled or deleted account bumps. A remembered sign-in is also checked against the account's
 * state (the same check as the REST API's access tokens, read at most every 5 s per account and
 * process): a disabled or deleted account is refused, and a sign-in with the account password
 * counts only while that password is unchanged.
 */
const AUTH_CACHE_SECONDS = 30;
const ACCOUNT_STATE_MS = 5_000;

type AccountState = { active: boolean; passwordDigest: string } | "missing";
const accountStates = createLru<string, AccountState>(100_000, { ttl: ACCOUNT_STATE_MS });
const pendingStates = new Map<string, Promise<AccountState>>();

/** The account's state, read from the catalog at most every 5 s (one read for concurrent asks). */
function accountState(ctx: Pick<Ctx, "db">, userId: string): Promise<AccountState> {
  const hit = accountStates.get(userId);
  if (hit) return Promise.resolve(hit);
  let pending = pendingStates.get(userId);
  if (!pending) {
    pending = accountCredentialState(ctx.db, userId)
      .then((state) => {
        const value: AccountState = state ?? "missing";
        accountStates.set(userId, value);
        return value;
      })
      .finally(() => pendingStates.delete(userId));
    pendingStates.set(userId, pending);
  }
  return pending;
}

/** What the Cache port keeps for a sign-in. */
interface CachedSignIn {
  user: SubsonicUser;
  /** For the account password: a digest of the hash it was checked against. */
  passwordDigest?: string;
}

/**
 * Call after anything that must end Subsonic sign-ins now: a revoked app password or API key,
 * a disabled, deleted or re-passworded account. Other processes drop theirs through the shared
 * generation (Redis); the account state they check expires within 5 s anyway.
 */
export async function forgetSubsonicSignIns(
  ctx: Pick<Ctx, "cache" | "log">,
  who: { username?: string; userId?: string; apiKeyDigest?: string },
): Promise<void> {
  if (who.userId) accountStates.delete(who.userId);
  try {
    if (who.username)
      await bumpNamespace(ctx.cache, `subsonic-auth:u:${who.username.toLowerCase()}`);
    if (who.apiKeyDigest) await bumpNamespace(ctx.cache, `subsonic-auth:k:${who.apiKeyDigest}`);
  } catch (error) {
    ctx.log.warn(
      { err: error },
      "could not drop cached Subsonic sign-ins; they expire on their own",
    );
  }
}

/** Successful bcrypt checks are remembered this long (bcrypt costs ~250 ms a request at cost 12). */
const BCRYPT_CACHE_MS = 60_000;
const LOGIN_WINDOW_SECONDS = 15 * 60;

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `p=enc:<hex>` is the password hex-encoded (the protocol's obfuscation, not encryption). */
function decodePassword(p: string): string {
  if (!p.startsWith("enc:")) return p;
  const hex = p.slice(4);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw SubsonicErrors.wrongCredentials();
  return Buffer.from(hex, "hex").toString("utf8");
}

/**
 * Subsonic sign-in on every request: `apiKey` (OpenSubsonic), `u` + `p` (account password via
 * bcrypt, or an app password; `enc:` hex allowed), `u` + `t` + `s` (token = md5(secret + salt):
 * app passwords only, as bcrypt hashes cannot produce it). Failed attempts count against the
 * same limits as the REST login (per IP and account, and per IP), with the same lockout.
 */
export function createSubsonicAuth(deps: Pick<ApiDeps, "config" | "ports">) {
  const envelope = envelopeKeyFromConfig(deps.config);
  const max = deps.config.LOGIN_MAX_FAILURES;
  const perAccount = deps.ports.rateLimits.create("subsonic-login-fail", max, LOGIN_WINDOW_SECONDS);
  const perIp = deps.ports.rateLimits.create(
    "subsonic-login-fail-ip",
    max * 10,
    LOGIN_WINDOW_SECONDS,
  );
  const bcryptOk = createLru<string, true>(10_000, { ttl: BCRYPT_CACHE_MS });

  async function fail(ctx: Ctx, ip: string, accountKey: string, userId: string | null) {
    await Promise.all([perAccount.consume(accountKey), perIp.consume(ip)]);
    await recordAudit(ctx.db, ctx.meta, userId ? { userId } : null, {
      action: "subsonic.login_failed",
      entityType: "user",
      entityId: userId,
    });
    return SubsonicErrors.wrongCredentials();
  }

  /** The cache key of these credentials, or null when they are incomplete or mixed. */
  async function cacheKeyOf(ctx: Ctx, params: Params): Promise<string | null> {
    const apiKey = params.get("apiKey");
    const u = params.get("u");
    const p = params.get("p");
    const t = params.get("t");
    const s = params.get("s");
    if (apiKey !== undefined)
      return u === undefined && p === undefined && t === undefined
        ? namespaceKey(ctx.cache, `subsonic-auth:k:${digestApiKey(apiKey)}`, "key")
        : null;
    if (!u || (p === undefined) === (t === undefined)) return null;
    return namespaceKey(
      ctx.cache,
      `subsonic-auth:u:${u.trim().toLowerCase()}`,
      sha256(p !== undefined ? `p\0${p}` : `t\0${t}\0${s ?? ""}`),
    );
  }

  return {
    async authenticate(ctx: Ctx, params: Params, helpUrl: string): Promise<SubsonicUser> {
      const key = await cacheKeyOf(ctx, params).catch(() => null);
      if (key) {
        const hit = await ctx.cache.get<CachedSignIn>(key).catch(() => undefined);
        if (hit?.user) {
          const state = await accountState(ctx, hit.user.userId);
          if (state === "missing" || !state.active)
            throw SubsonicErrors.notAuthorized("This account is disabled.");
          // A changed account password: verify again (against the new hash, so it fails).
          if (hit.passwordDigest === undefined || hit.passwordDigest === state.passwordDigest)
            return hit.user;
        }
      }
      const signIn = await this.verifyWithState(ctx, params, helpUrl);
      if (key) await ctx.cache.set(key, signIn, AUTH_CACHE_SECONDS).catch(() => undefined);
      return signIn.user;
    },

    async verify(ctx: Ctx, params: Params, helpUrl: string): Promise<SubsonicUser> {
      return (await this.verifyWithState(ctx, params, helpUrl)).user;
    },

    async verifyWithState(ctx: Ctx, params: Params, helpUrl: string): Promise<CachedSignIn> {
      const apiKey = params.get("apiKey");
      const u = params.get("u");
      const p = params.get("p");
      const t = params.get("t");
      const s = params.get("s");
      if (apiKey !== undefined) {
        if (u !== undefined || p !== undefined || t !== undefined)
          throw SubsonicErrors.conflicting();
        const owner = await findApiKeyOwner(ctx, apiKey);
        if (!owner) throw SubsonicErrors.invalidApiKey();
        if (!owner.isActive) throw SubsonicErrors.notAuthorized("This account is disabled.");
        return { user: { ...owner, email: "", via: "api-key" } };
      }
      if (!u) throw SubsonicErrors.missing("u");
      if (p !== undefined && (t !== undefined || s !== undefined))
        throw SubsonicErrors.conflicting();
      if (p === undefined && (!t || !s)) throw SubsonicErrors.missing(t ? "s" : "p or t");

      const ip = ctx.meta.ip ?? "unknown";
      const accountKey = `${ip}|${u.trim().toLowerCase()}`;
      const [accountState, ipState] = await Promise.all([
        perAccount.peek(accountKey),
        perIp.peek(ip),
      ]);
      for (const state of [accountState, ipState]) {
        if (!state.allowed)
          throw new SubsonicError(
            40,
            `Too many failed sign-ins; wait ${state.resetSeconds} s before trying again.`,
          );
      }

      const user = await findUserByLogin(ctx.db, u);
      if (!user) throw await fail(ctx, ip, accountKey, null);
      const secrets = await activeAppPasswordSecrets(ctx.db, envelope, user.id);

      let via: SubsonicUser["via"] | null = null;
      if (p !== undefined) {
        const password = decodePassword(p);
        const app = secrets.find((x) => sameText(x.secret, password));
        if (app) {
          via = "app-password";
          await touchAppPassword(ctx, app.id);
        } else if (passwordFitsBcrypt(password)) {
          const cacheKey = sha256(`${user.id}\0${user.passwordHash}\0${password}`);
          if (bcryptOk.has(cacheKey) || (await verifyPassword(password, user.passwordHash))) {
            bcryptOk.set(cacheKey, true);
            via = "password";
          }
        }
      } else {
        if (secrets.length === 0) throw SubsonicErrors.tokenNotSupported(helpUrl);
        const token = t!.toLowerCase();
        const app = secrets.find((x) => sameText(md5(x.secret + s), token));
        if (app) {
          via = "app-password";
          await touchAppPassword(ctx, app.id);
        }
      }
      if (!via) throw await fail(ctx, ip, accountKey, user.id);
      if (!user.isActive) throw SubsonicErrors.notAuthorized("This account is disabled.");
      // Only when failures were counted: most sign-ins cost no extra round trip.
      if (accountState.remaining < accountState.limit) await perAccount.reset(accountKey);
      return {
        user: { userId: user.id, username: user.username, email: user.email, role: user.role, via },
        ...(via === "password" ? { passwordDigest: passwordDigestOf(user.passwordHash) } : {}),
      };
    },
  };
}

export type SubsonicAuth = ReturnType<typeof createSubsonicAuth>;
