/**
 * UI: server-side sessions of the privacy pages. The browser only holds a random 256-bit id in the
 * cookie `doelpoort_privacy` (`HttpOnly; SameSite=Lax; Path=/privacy`, plus `Secure` over TLS);
 * the officer's tokens stay on the server (backend-for-frontend) and never reach the browser or a
 * URL. Each session has a CSRF token for its POST forms. Sessions end after 30 minutes idle or
 * 8 hours in total (one that never logged in: 10 minutes idle); a login rotates the id (no fixation).
 *
 * Sessions live in the store's shared state (table `gedeelde_staat`), so every replica serves every
 * session and a restart logs nobody out. The database alone reveals nothing usable: a session's row
 * key is the SHA-256 of its id (a reader of the table cannot present a row key as a cookie), and its
 * content (CSRF token, pending logins with their PKCE verifiers, the officer's access, refresh and ID
 * tokens) is encrypted with AES-256-GCM under a key derived from the session id with HKDF-SHA256,
 * the row key bound as additional data. Only whoever holds the cookie can read or alter a session.
 *
 * Bounds: at most 5 pending logins per session; at most 20 new anonymous sessions (logins started
 * without a session) per client IP per 10-minute window, counted with `shared.increment` across all
 * replicas — a flood of login starts is answered 429 and cannot evict or touch anything (nothing is
 * ever evicted; rows expire and are swept). Signed-in sessions are not bounded in number: each takes
 * a real login, which the login form limits per IP and per account. Concurrent requests of one session that both change it
 * (two tabs starting a login at the same instant) keep the last write.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { SharedState } from '../store/store.js';

export const COOKIE_NAME = 'doelpoort_privacy';
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3600_000;
const LOGIN_TTL_MS = 10 * 60_000;
const MAX_PENDING_LOGINS = 5;
/** New anonymous sessions per client IP per window (the window is a login's lifetime). */
const MAX_ANONYMOUS_PER_IP = 20;
/** A session's last-seen time is written back at most this often (idle expiry is this much coarse). */
const TOUCH_MS = 60_000;
const KIND = 'privacy-sessie';

/** An authorization request in flight (one per browser tab that started a login). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go after the login: a path under /privacy. */
  returnTo: string;
  started: number;
}

export interface Officer {
  sub: string;
  naam: string;
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Access token expiry, epoch ms. */
  expiresAt: number;
}

export interface UiSession {
  id: string;
  csrf: string;
  created: number;
  lastSeen: number;
  logins: Map<string, PendingLogin>;
  officer: Officer | null;
}

/** Too many new anonymous sessions from one client IP in the current window. */
export class TeVeelInlogpogingen extends Error {
  override name = 'TeVeelInlogpogingen';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many login starts from this address; retry after ${retryAfterSeconds} s`);
  }
}

/** What is stored (encrypted): everything but the id, which is the key. */
interface Stored {
  csrf: string;
  created: number;
  lastSeen: number;
  logins: PendingLogin[];
  officer: Officer | null;
}

const newId = () => crypto.randomBytes(32).toString('base64url');
const rowKey = (id: string) => crypto.createHash('sha256').update(`doelpoort-privacy-sessie:${id}`).digest('base64url');
const contentKey = (id: string) => Buffer.from(crypto.hkdfSync('sha256', id, 'doelpoort-privacy-sessie', 'aes-256-gcm v1', 32));

function seal(id: string, row: string, value: Stored): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', contentKey(id), iv);
  cipher.setAAD(Buffer.from(row));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** The stored session, or null when it does not decrypt (wrong id, altered row). */
function open(id: string, row: string, sealed: unknown): Stored | null {
  if (typeof sealed !== 'string') return null;
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = crypto.createDecipheriv('aes-256-gcm', contentKey(id), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(row));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Stored;
  } catch {
    return null;
  }
}

export class SessionStore {
  constructor(
    private readonly shared: SharedState,
    private readonly now: () => number = Date.now,
    private readonly maxPerIp = MAX_ANONYMOUS_PER_IP,
  ) {}

  /** The live session with this id, or null; its last-seen time moves on. */
  async get(id: string | undefined): Promise<UiSession | null> {
    if (!id || id.length > 100) return null;
    const row = rowKey(id);
    const stored = open(id, row, await this.shared.get(KIND, row));
    if (!stored) return null;
    const now = this.now();
    const s: UiSession = { id, csrf: stored.csrf, created: stored.created, lastSeen: stored.lastSeen, logins: new Map(stored.logins.map((l) => [l.state, l])), officer: stored.officer };
    if (this.expired(s, now)) {
      await this.shared.delete(KIND, row);
      return null;
    }
    let changed = false;
    for (const [state, login] of s.logins) {
      if (now - login.started > LOGIN_TTL_MS) {
        s.logins.delete(state);
        changed = true;
      }
    }
    if (changed || now - s.lastSeen >= TOUCH_MS) {
      s.lastSeen = now;
      await this.save(s);
    }
    return s;
  }

  /** A new anonymous session for a login started from `ip`; `TeVeelInlogpogingen` above the per-IP bound. */
  async create(ip = 'onbekend'): Promise<UiSession> {
    const now = this.now();
    const windowStart = Math.floor(now / LOGIN_TTL_MS) * LOGIN_TTL_MS;
    const windowEnd = windowStart + LOGIN_TTL_MS;
    const address = crypto.createHash('sha256').update(ip).digest('base64url');
    const count = await this.shared.increment(`privacy-anoniem:${address}`, windowStart, windowEnd);
    if (count > this.maxPerIp) throw new TeVeelInlogpogingen(Math.max(1, Math.ceil((windowEnd - now) / 1000)));
    const s: UiSession = { id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map(), officer: null };
    await this.save(s);
    return s;
  }

  /** Sign `officer` in: a new id and CSRF token (no session fixation); the old id is forgotten. */
  async rotate(s: UiSession, officer: Officer | null = s.officer): Promise<UiSession> {
    await this.destroy(s);
    const now = this.now();
    const next: UiSession = { id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map(), officer };
    await this.save(next);
    return next;
  }

  async destroy(s: UiSession): Promise<void> {
    await this.shared.delete(KIND, rowKey(s.id));
  }

  /** Write the session back (after a change: a login added or finished, tokens refreshed). */
  async save(s: UiSession): Promise<void> {
    const row = rowKey(s.id);
    const expiresAt = Math.min(s.lastSeen + (s.officer ? IDLE_MS : LOGIN_TTL_MS), s.created + ABSOLUTE_MS);
    const stored: Stored = { csrf: s.csrf, created: s.created, lastSeen: s.lastSeen, logins: [...s.logins.values()], officer: s.officer };
    await this.shared.put(KIND, row, seal(s.id, row, stored), expiresAt);
  }

  /** Add a pending login (the oldest goes beyond five); the caller saves. */
  addLogin(s: UiSession, login: PendingLogin): void {
    s.logins.set(login.state, login);
    while (s.logins.size > MAX_PENDING_LOGINS) s.logins.delete(s.logins.keys().next().value!);
  }

  /** Idle or too old; a session that never logged in only lives as long as a login may take. */
  private expired(s: UiSession, now: number): boolean {
    return now - s.lastSeen > (s.officer ? IDLE_MS : LOGIN_TTL_MS) || now - s.created > ABSOLUTE_MS;
  }
}

export function readSessionId(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  /** Cookie path: `<base>/privacy`. */
  path: string;
  /** Set `Secure`: the request came over TLS or the public URL is https. */
  secure: boolean;
}

export function setSessionCookie(res: Response, s: UiSession, o: CookieOptions): void {
  res.append('Set-Cookie', `${COOKIE_NAME}=${s.id}; Path=${o.path}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(res: Response, o: CookieOptions): void {
  res.append('Set-Cookie', `${COOKIE_NAME}=; Path=${o.path}; HttpOnly; SameSite=Lax; Max-Age=0${o.secure ? '; Secure' : ''}`);
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(s: UiSession, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(s.csrf).digest();
  return crypto.timingSafeEqual(a, b);
}
