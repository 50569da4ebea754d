import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config.js';
import { canonicalize } from './canonical.js';

/** RFC 8785's test vectors (the JCS author's `testdata/`), kept beside the project, used as they are. */
const VECTORS = path.resolve(projectRoot(), '..', 'shared', 'conformance', 'rfc8785');

describe('canonicalize (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalize({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    // RFC 8785 §3.2.3 sorts by UTF-16 code units: "\u20ac" (€) before "\ud83d\ude00" (😀), uppercase before lowercase.
    expect(canonicalize({ '😀': 1, '€': 2, a: 3, B: 4 })).toBe('{"B":4,"a":3,"€":2,"😀":1}');
  });

  it('serialises numbers and strings as ECMAScript does', () => {
    expect(canonicalize([1e21, 0.1, -0, 10.0, 'é\n"'])).toBe('[1e+21,0.1,0,10,"é\\n\\""]');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalize(Number.NaN)).toThrow();
    expect(() => canonicalize({ a: () => 1 })).toThrow();
  });

  const names = fs.readdirSync(path.join(VECTORS, 'input')).filter((f) => f.endsWith('.json')).sort();
  it('has the published vectors to run', () => {
    expect(names).toEqual(expect.arrayContaining(['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']));
  });
  it.each(names)('vector %s: canonicalize(JSON.parse(input)) equals the expected output byte for byte', (name) => {
    const input = JSON.parse(fs.readFileSync(path.join(VECTORS, 'input', name), 'utf8')) as unknown;
    const expected = fs.readFileSync(path.join(VECTORS, 'output', name));
    expect(Buffer.from(canonicalize(input), 'utf8').equals(expected), `${name}: ${canonicalize(input)}`).toBe(true);
  });
});
