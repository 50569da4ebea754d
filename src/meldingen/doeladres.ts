/**
 * Subscription URLs (doeladres) against SSRF: owns the decision "may the gateway POST events to
 * this URL?", taken when a subscription is made AND again at every delivery (a name can resolve
 * elsewhere later: DNS rebinding). Deny by default; the answer names the reason.
 *
 * - Production: `https` only. Embedded mode: also `http`, but plain http only to the loopback names
 *   `127.0.0.1`, `[::1]` and `localhost` (for trying it out on one machine).
 * - No user name or password in the URL.
 * - The host is parsed the WHATWG way (so `0x7f.1`, `2130706433`, `0177.0.0.1` and `127.1` are all
 *   127.0.0.1), a name is resolved with `dns.lookup(all: true)`, and EVERY address must be public:
 *   refused are unspecified, loopback, private (RFC 1918), CGNAT (100.64/10), link-local
 *   (169.254/16, with the cloud metadata address 169.254.169.254, fe80::/10), unique-local IPv6
 *   (fc00::/7, with AWS's fd00:ec2::254), IPv4-mapped and -compatible IPv6, NAT64, 6to4, Teredo,
 *   documentation, benchmarking, multicast and reserved ranges. Loopback is allowed in embedded mode.
 * - An operator allow-list (host names, addresses or CIDR ranges) lets named internal receivers through.
 * - Redirects are never followed: the deliverer MUST call fetch with `redirect: 'manual'` and treat
 *   any 3xx as a failed attempt, and SHOULD connect through `guardedLookup` so that the address it
 *   connects to is the address that was checked.
 */
import dns from 'node:dns';
import net from 'node:net';

export type Modus = 'productie' | 'ingebed';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface DoeladresOpties {
  modus: Modus;
  /** Operator allow-list: host names (exact, case-insensitive), IP addresses or CIDR ranges (`10.20.0.0/16`, `fd12::/64`). */
  toegestaan?: readonly string[];
  /** Name resolution; default `dns.promises.lookup(host, { all: true, verbatim: true })`. Tests inject their own. */
  resolve?: Resolver;
}

export type DoeladresOordeel = { ok: true; url: URL; adressen: string[] } | { ok: false; reden: string };

const defaultResolve: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Ranges no event goes to (unless allow-listed); loopback is listed apart because embedded mode allows it. */
// Separate lists per family: a BlockList matches an IPv4-mapped IPv6 address (::ffff:127.0.0.1)
// against its IPv4 rules, and such an address must be refused as mapped, never allowed as loopback.
const LOOPBACK4 = new net.BlockList();
LOOPBACK4.addSubnet('127.0.0.0', 8, 'ipv4');
const LOOPBACK6 = new net.BlockList();
LOOPBACK6.addAddress('::1', 'ipv6');

function isLoopback(address: string): boolean {
  const type = net.isIP(address);
  return type === 4 ? LOOPBACK4.check(address, 'ipv4') : type === 6 ? LOOPBACK6.check(address, 'ipv6') : false;
}

const BLOCKED: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'een niet-gespecificeerd adres (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'een privé-adres (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'ipv4', 'een CGNAT-adres (100.64.0.0/10)'],
  ['169.254.0.0', 16, 'ipv4', 'een link-local adres (169.254.0.0/16, met het metadata-adres van cloudplatforms)'],
  ['172.16.0.0', 12, 'ipv4', 'een privé-adres (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'ipv4', 'een IETF-protocoladres (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'ipv4', 'een documentatie-adres (192.0.2.0/24)'],
  ['192.88.99.0', 24, 'ipv4', 'een 6to4-relay-adres (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'ipv4', 'een privé-adres (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'ipv4', 'een benchmarkadres (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'ipv4', 'een documentatie-adres (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'ipv4', 'een documentatie-adres (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'ipv4', 'een multicast-adres (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'ipv4', 'een gereserveerd adres (240.0.0.0/4)'],
  ['::', 128, 'ipv6', 'een niet-gespecificeerd adres (::)'],
  ['::', 96, 'ipv6', 'een IPv4-compatibel IPv6-adres (::/96)'],
  ['::ffff:0:0', 96, 'ipv6', 'een IPv4-mapped IPv6-adres (::ffff:0:0/96)'],
  ['64:ff9b::', 96, 'ipv6', 'een NAT64-adres (64:ff9b::/96)'],
  ['64:ff9b:1::', 48, 'ipv6', 'een lokaal NAT64-adres (64:ff9b:1::/48)'],
  ['100::', 64, 'ipv6', 'een discard-adres (100::/64)'],
  ['2001::', 32, 'ipv6', 'een Teredo-adres (2001::/32)'],
  ['2001:db8::', 32, 'ipv6', 'een documentatie-adres (2001:db8::/32)'],
  ['2002::', 16, 'ipv6', 'een 6to4-adres (2002::/16)'],
  ['fc00::', 7, 'ipv6', 'een unique-local IPv6-adres (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'een link-local IPv6-adres (fe80::/10)'],
  ['fec0::', 10, 'ipv6', 'een site-local IPv6-adres (fec0::/10)'],
  ['ff00::', 8, 'ipv6', 'een multicast-adres (ff00::/8)'],
];
const BLOCKED_LISTS = BLOCKED.map(([network, prefix, type, reden]) => {
  const list = new net.BlockList();
  list.addSubnet(network, prefix, type);
  return { list, type, reden };
});

const EMBEDDED_HTTP_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A host name of a URL without brackets and a trailing dot, lower case. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

interface AllowList {
  hosts: Set<string>;
  ranges: net.BlockList;
}

function allowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const ranges = new net.BlockList();
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    const [addr, prefix] = e.split('/');
    const type = net.isIP(addr ?? '');
    if (type && prefix !== undefined) ranges.addSubnet(addr!, Number(prefix), type === 4 ? 'ipv4' : 'ipv6');
    else if (type) ranges.addAddress(addr!, type === 4 ? 'ipv4' : 'ipv6');
    else hosts.add(e.replace(/\.$/, ''));
  }
  return { hosts, ranges };
}

/**
 * Why an address may not receive events, or null when it may. Loopback counts as allowed only
 * when `loopbackAllowed` (embedded mode).
 */
export function blockedReason(address: string, loopbackAllowed: boolean): string | null {
  const type = net.isIP(address);
  if (type === 0) return `"${address}" is geen IP-adres`;
  const t = type === 4 ? 'ipv4' : 'ipv6';
  if (isLoopback(address)) return loopbackAllowed ? null : 'een loopback-adres';
  for (const b of BLOCKED_LISTS) if (b.type === t && b.list.check(address, t)) return b.reden;
  return null;
}

/** The verdict on a subscription URL; resolves the host name (every address must pass). */
export async function checkDoeladres(raw: string, opties: DoeladresOpties): Promise<DoeladresOordeel> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reden: 'geen geldige URL' };
  }
  if (url.username || url.password) return { ok: false, reden: 'een URL met gebruikersnaam of wachtwoord is niet toegestaan' };
  if (url.hash) return { ok: false, reden: 'een URL met een fragment (#) is niet toegestaan' };
  const embedded = opties.modus === 'ingebed';
  if (url.protocol === 'http:') {
    if (!embedded) return { ok: false, reden: 'alleen https is toegestaan' };
    if (!EMBEDDED_HTTP_HOSTS.has(url.hostname.toLowerCase())) return { ok: false, reden: 'http alleen naar 127.0.0.1, [::1] of localhost (ingebedde modus)' };
  } else if (url.protocol !== 'https:') {
    return { ok: false, reden: `protocol ${url.protocol.replace(/:$/, '')} is niet toegestaan; alleen https` };
  }

  const allow = allowList(opties.toegestaan ?? []);
  const host = bareHost(url);
  const hostAllowed = allow.hosts.has(host);
  let adressen: ResolvedAddress[];
  const literal = net.isIP(host);
  if (literal) {
    adressen = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      adressen = await (opties.resolve ?? defaultResolve)(host);
    } catch (e) {
      return { ok: false, reden: `de naam ${host} is niet op te zoeken (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
    if (adressen.length === 0) return { ok: false, reden: `de naam ${host} heeft geen adres` };
  }
  const checkBlocked = (a: ResolvedAddress): string | null => {
    if (hostAllowed) return null;
    if (allow.ranges.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4')) return null;
    return blockedReason(a.address, embedded);
  };
  for (const a of adressen) {
    const reden = checkBlocked(a);
    if (reden) return { ok: false, reden: literal ? `${host} is ${reden}` : `${host} wijst naar ${a.address}: ${reden}` };
  }
  // Plain http to "localhost" must really stay on this machine.
  if (url.protocol === 'http:' && adressen.some((a) => !isLoopback(a.address))) {
    return { ok: false, reden: `${host} wijst niet alleen naar loopback` };
  }
  return { ok: true, url, adressen: adressen.map((a) => a.address) };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request`/`https.request` (or an undici Agent's `connect.lookup`) that resolves
 * with `resolve` and refuses the connection when any address is blocked — so the address connected
 * to is an address that passed the check, even if the name was re-pointed after subscribing.
 */
export function guardedLookup(opties: DoeladresOpties) {
  const allow = allowList(opties.toegestaan ?? []);
  const embedded = opties.modus === 'ingebed';
  return (hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    (opties.resolve ?? defaultResolve)(host).then((adressen) => {
      if (adressen.length === 0) throw Object.assign(new Error(`${host} heeft geen adres`), { code: 'ENOTFOUND' });
      if (!allow.hosts.has(host)) {
        for (const a of adressen) {
          if (allow.ranges.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4')) continue;
          const reden = blockedReason(a.address, embedded);
          if (reden) throw Object.assign(new Error(`${host} wijst naar ${a.address}: ${reden}`), { code: 'EDOELADRES' });
        }
      }
      if (typeof options === 'object' && options?.all) callback(null, adressen.map((a) => ({ address: a.address, family: a.family })));
      else callback(null, adressen[0]!.address, adressen[0]!.family);
    }).catch((e: NodeJS.ErrnoException) => callback(e, ''));
  };
}
