/**
 * UI: server-side sessions of the privacy pages. The browser only holds a random 256-bit id in the
 * cookie `doelpoort_privacy` (`HttpOnly; SameSite=Lax; Path=/privacy`, plus `Secure` over TLS);
 * the officer's tokens stay on the server (backend-for-frontend) and never reach the browser or a
 * URL. Each session has a CSRF token for its POST forms. Sessions end after 30 minutes idle or
 * 8 hours in total (one that never logged in: 10 minutes idle); the store is in memory (a restart
 * logs officers out; several replicas need sticky sessions) and bounded in two separate pools:
 * signed-in sessions, and anonymous ones (a login in progress). Anonymous sessions are also bounded
 * per client IP, so a flood of login starts from one address only ever evicts that address's own
 * pending logins — never a signed-in officer, never another address's login in progress.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

export const COOKIE_NAME = 'doelpoort_privacy';
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3600_000;
const LOGIN_TTL_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;
const MAX_PENDING_LOGINS = 5;
/** Anonymous sessions (logins in progress) in all, and per client IP. */
const MAX_ANONYMOUS = 5_000;
const MAX_ANONYMOUS_PER_IP = 20;

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
  /** The client IP that started the session (for the per-IP bound of anonymous sessions). */
  ip: string;
}

const newId = () => crypto.randomBytes(32).toString('base64url');

export class SessionStore {
  /** Signed-in officers. */
  private readonly sessions = new Map<string, UiSession>();
  /** Sessions that never logged in, oldest first, and how many each client IP holds. */
  private readonly anonymous = new Map<string, UiSession>();
  private readonly perIp = new Map<string, number>();
  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = MAX_SESSIONS,
    private readonly maxAnonymous = MAX_ANONYMOUS,
    private readonly maxPerIp = MAX_ANONYMOUS_PER_IP,
  ) {}

  get size(): number {
    return this.sessions.size + this.anonymous.size;
  }

  /** Anonymous sessions of one client IP (for tests and monitoring). */
  anonymousOf(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  get(id: string | undefined): UiSession | null {
    if (!id) return null;
    const s = this.sessions.get(id) ?? this.anonymous.get(id);
    if (!s) return null;
    const now = this.now();
    if (this.expired(s, now)) {
      this.remove(s);
      return null;
    }
    if (s.officer && this.anonymous.has(s.id)) this.promote(s);
    s.lastSeen = now;
    for (const [state, login] of s.logins) if (now - login.started > LOGIN_TTL_MS) s.logins.delete(state);
    return s;
  }

  /** A new anonymous session for a login started from `ip`. */
  create(ip = 'onbekend'): UiSession {
    const now = this.now();
    // This address's own oldest first, then (when the pool is full) expired ones, then the oldest of
    // the address holding the most: another address's single login in progress is the last to go.
    if (this.anonymousOf(ip) >= this.maxPerIp) this.evictAnonymous((s) => s.ip === ip);
    if (this.anonymous.size >= this.maxAnonymous) {
      for (const s of [...this.anonymous.values()]) if (this.expired(s, now)) this.remove(s);
      if (this.anonymous.size >= this.maxAnonymous) {
        const busiest = [...this.perIp].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
        this.evictAnonymous((s) => s.ip === busiest);
      }
    }
    const s: UiSession = { id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map(), officer: null, ip };
    this.anonymous.set(s.id, s);
    this.perIp.set(ip, this.anonymousOf(ip) + 1);
    return s;
  }

  /** A new id and CSRF token for a session whose privilege changes (login): no session fixation. */
  rotate(s: UiSession): UiSession {
    this.remove(s);
    const now = this.now();
    const next: UiSession = { ...s, id: newId(), csrf: newId(), created: now, lastSeen: now, logins: new Map() };
    this.sweepSignedIn();
    // Rotation happens at login: the new session belongs to the signed-in pool.
    this.sessions.set(next.id, next);
    return next;
  }

  destroy(s: UiSession): void {
    this.remove(s);
  }

  addLogin(s: UiSession, login: PendingLogin): void {
    s.logins.set(login.state, login);
    while (s.logins.size > MAX_PENDING_LOGINS) s.logins.delete(s.logins.keys().next().value!);
  }

  /** Idle or too old; a session that never logged in only lives as long as a login may take. */
  private expired(s: UiSession, now: number): boolean {
    return now - s.lastSeen > (s.officer ? IDLE_MS : LOGIN_TTL_MS) || now - s.created > ABSOLUTE_MS;
  }

  private remove(s: UiSession): void {
    if (this.anonymous.delete(s.id)) {
      const n = this.anonymousOf(s.ip) - 1;
      if (n > 0) this.perIp.set(s.ip, n);
      else this.perIp.delete(s.ip);
    }
    this.sessions.delete(s.id);
  }

  private promote(s: UiSession): void {
    this.remove(s);
    this.sweepSignedIn();
    this.sessions.set(s.id, s);
  }

  /** The oldest anonymous session that matches; one that has meanwhile signed in moves to its own pool instead. */
  private evictAnonymous(match: (s: UiSession) => boolean): void {
    for (const s of this.anonymous.values()) {
      if (!match(s)) continue;
      if (s.officer) {
        this.promote(s);
        continue;
      }
      this.remove(s);
      return;
    }
  }

  private sweepSignedIn(): void {
    if (this.sessions.size < this.max) return;
    const now = this.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, now)) this.remove(s);
    // Still full of live officers: the least recently created goes (only officers compete here).
    while (this.sessions.size >= this.max) this.remove(this.sessions.values().next().value!);
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
