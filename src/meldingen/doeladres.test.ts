/**
 * Subscription URLs against SSRF: the tricky spellings of internal addresses, names that resolve
 * inward (every address counts), the operator allow-list, the embedded mode's loopback, and the
 * guarded lookup that a real Node HTTP request uses at delivery time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedReason, checkDoeladres, guardedLookup, type ResolvedAddress } from './doeladres.js';

const PUBLIEK: ResolvedAddress = { address: '93.184.216.34', family: 4 };
/** A resolver from a fixed table; unknown names fail like DNS does. */
const resolver = (table: Record<string, ResolvedAddress[]>) => async (host: string) => {
  const hit = table[host];
  if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return hit;
};
const resolve = resolver({
  'hooks.gemeente.nl': [PUBLIEK],
  'dubbel.example.nl': [PUBLIEK, { address: '10.0.0.7', family: 4 }],
  'mapped.example.nl': [{ address: '::ffff:10.0.0.7', family: 6 }],
  'metadata.google.internal': [{ address: '169.254.169.254', family: 4 }],
  'intern.gemeente.nl': [{ address: '10.1.2.3', family: 4 }],
  'ander-intern.gemeente.nl': [{ address: '10.9.9.9', family: 4 }],
  localhost: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }],
  'v6.example.nl': [{ address: '2a00:1450:4001:82b::200e', family: 6 }],
});
const productie = { modus: 'productie' as const, resolve };
const ingebed = { modus: 'ingebed' as const, resolve };

describe('checkDoeladres in production', () => {
  it('accepts https to a name that resolves only to public addresses', async () => {
    expect(await checkDoeladres('https://hooks.gemeente.nl/doelpoort?x=1', productie)).toMatchObject({ ok: true, adressen: ['93.184.216.34'] });
    expect(await checkDoeladres('https://v6.example.nl:8443/hook', productie)).toMatchObject({ ok: true });
    expect(await checkDoeladres('https://172.32.0.1/', productie)).toMatchObject({ ok: true }); // just outside 172.16/12
  });

  const refused: Array<[string, RegExp]> = [
    ['http://hooks.gemeente.nl/', /alleen https/],
    ['http://0x7f.1/', /alleen https/],
    ['https://0x7f.1/', /127\.0\.0\.1 is een loopback-adres/],
    ['https://2130706433/', /127\.0\.0\.1 is een loopback-adres/],
    ['https://0177.0.0.1/', /loopback/],
    ['https://127.1/', /loopback/],
    ['https://localhost/', /wijst naar 127\.0\.0\.1: een loopback-adres/],
    ['https://[::1]/', /loopback/],
    ['https://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['https://[::ffff:a00:7]/', /IPv4-mapped/],
    ['https://[::127.0.0.1]/', /IPv4-compatibel/],
    ['https://169.254.169.254/latest/meta-data/', /link-local.*metadata/],
    ['https://metadata.google.internal/computeMetadata/v1/', /wijst naar 169\.254\.169\.254/],
    ['https://100.100.100.200/', /CGNAT/],
    ['https://[fd00:ec2::254]/', /unique-local/],
    ['https://[fe80::1]/', /link-local IPv6/],
    ['https://10.0.0.5/', /privé-adres \(10/],
    ['https://3232235777/', /192\.168\.1\.1 is een privé-adres/],
    ['https://0300.0250.0.1/', /192\.168\.0\.1 is een privé-adres/],
    ['https://172.16.0.1/', /privé-adres \(172\.16/],
    ['https://172.31.255.255/', /privé-adres \(172\.16/],
    ['https://0.0.0.0/', /niet-gespecificeerd/],
    ['https://[::]/', /niet-gespecificeerd/],
    ['https://[64:ff9b::a00:1]/', /NAT64/],
    ['https://[2002:c0a8:101::1]/', /6to4/],
    ['https://[2001:0:4136:e378::1]/', /Teredo/],
    ['https://224.0.0.1/', /multicast/],
    ['https://255.255.255.255/', /gereserveerd/],
    ['https://192.0.0.192/', /IETF-protocol/],
    ['https://dubbel.example.nl/', /wijst naar 10\.0\.0\.7: een privé-adres/],
    ['https://mapped.example.nl/', /wijst naar ::ffff:10\.0\.0\.7: een IPv4-mapped/],
    ['https://onbekend.example.nl/', /niet op te zoeken \(ENOTFOUND\)/],
    ['https://user:secret@hooks.gemeente.nl/', /gebruikersnaam of wachtwoord/],
    ['https://hooks.gemeente.nl/#frag', /fragment/],
    ['ftp://hooks.gemeente.nl/', /protocol ftp/],
    ['javascript:alert(1)', /protocol javascript/],
    ['file:///etc/passwd', /protocol file/],
    ['geen url', /geen geldige URL/],
  ];
  it.each(refused)('refuses %s', async (url, reden) => {
    const r = await checkDoeladres(url, productie);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reden).toMatch(reden);
  });
});

describe('the operator allow-list', () => {
  it('lets a named host through, even though it resolves to a private address', async () => {
    expect(await checkDoeladres('https://intern.gemeente.nl/hook', { ...productie, toegestaan: ['intern.gemeente.nl'] })).toMatchObject({ ok: true, adressen: ['10.1.2.3'] });
    expect((await checkDoeladres('https://ander-intern.gemeente.nl/hook', { ...productie, toegestaan: ['intern.gemeente.nl'] })).ok).toBe(false);
  });

  it('lets a CIDR range through, and nothing outside it', async () => {
    const opties = { ...productie, toegestaan: ['10.1.0.0/16', 'fd12:3456::/32'] };
    expect((await checkDoeladres('https://intern.gemeente.nl/', opties)).ok).toBe(true);
    expect((await checkDoeladres('https://ander-intern.gemeente.nl/', opties)).ok).toBe(false);
    expect((await checkDoeladres('https://[fd12:3456::1]/', opties)).ok).toBe(true);
    expect((await checkDoeladres('https://[fd12:3457::1]/', opties)).ok).toBe(false);
    // The allow-list never lifts "https only" in production.
    expect((await checkDoeladres('http://intern.gemeente.nl/', opties)).ok).toBe(false);
  });
});

describe('checkDoeladres in embedded mode', () => {
  it('allows http and https to 127.0.0.1, [::1] and localhost', async () => {
    for (const url of ['http://127.0.0.1:4000/hook', 'http://[::1]:4000/', 'http://localhost:4000/hook', 'https://localhost/', 'http://0x7f.1/']) {
      expect(await checkDoeladres(url, ingebed), url).toMatchObject({ ok: true });
    }
  });

  it('still refuses other internal targets, mapped loopback, and http elsewhere', async () => {
    expect(await checkDoeladres('http://192.168.1.10/', ingebed)).toMatchObject({ ok: false, reden: expect.stringMatching(/http alleen naar/) });
    expect(await checkDoeladres('https://192.168.1.10/', ingebed)).toMatchObject({ ok: false, reden: expect.stringMatching(/privé-adres/) });
    expect(await checkDoeladres('https://[::ffff:127.0.0.1]/', ingebed)).toMatchObject({ ok: false, reden: expect.stringMatching(/IPv4-mapped/) });
    expect(await checkDoeladres('http://[::ffff:127.0.0.1]/', ingebed)).toMatchObject({ ok: false });
    expect(await checkDoeladres('http://hooks.gemeente.nl/', ingebed)).toMatchObject({ ok: false });
    expect(await checkDoeladres('https://169.254.169.254/', ingebed)).toMatchObject({ ok: false, reden: expect.stringMatching(/link-local/) });
  });

  it('refuses http://localhost when the name points off the machine', async () => {
    const poisoned = { modus: 'ingebed' as const, resolve: resolver({ localhost: [{ address: '127.0.0.1', family: 4 }, PUBLIEK] }) };
    expect(await checkDoeladres('http://localhost/', poisoned)).toMatchObject({ ok: false, reden: expect.stringMatching(/niet alleen naar loopback/) });
  });
});

describe('blockedReason', () => {
  it('answers null for public addresses of both families', () => {
    for (const a of ['1.1.1.1', '8.8.8.8', '93.184.216.34', '2a00:1450:4001:82b::200e', '2606:4700:4700::1111']) expect(blockedReason(a, false), a).toBeNull();
  });
  it('refuses what is not an address', () => {
    expect(blockedReason('example.org', false)).toMatch(/geen IP-adres/);
  });
});

describe('guardedLookup at delivery time, in a real http.request', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (lookup: ReturnType<typeof guardedLookup>) => new Promise<{ status?: number; error?: NodeJS.ErrnoException }>((done) => {
    // agent: false — a fresh connection, so the lookup runs (a kept-alive socket would skip it).
    const req = http.request({ host: 'receiver.test', port, path: '/', agent: false, lookup: lookup as never }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode }));
    });
    req.on('error', (error) => done({ error }));
    req.end();
  });

  it('connects when the name resolves to an allowed address (embedded: loopback)', async () => {
    const r = await get(guardedLookup({ modus: 'ingebed', resolve: resolver({ 'receiver.test': [{ address: '127.0.0.1', family: 4 }] }) }));
    expect(r).toEqual({ status: 200 });
  });

  it('refuses to connect when the name was re-pointed at a blocked address (DNS rebinding)', async () => {
    const r = await get(guardedLookup({ modus: 'productie', resolve: resolver({ 'receiver.test': [{ address: '127.0.0.1', family: 4 }] }) }));
    expect(r.status).toBeUndefined();
    expect(r.error?.code).toBe('EDOELADRES');
  });
});
