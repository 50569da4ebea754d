import { describe, expect, it } from 'vitest';
import { escapeHtml, html, queryString, trusted } from './html.js';

describe('html tagged template', () => {
  it('escapes every interpolated string, also in attributes', () => {
    const evil = `"><script>alert('x')</script>&\``;
    expect(html`<input value="${evil}">`.value).toBe('<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">');
  });

  it('keeps nested html as markup, joins arrays, renders null/undefined/false as nothing', () => {
    const items = ['a<b', 'c'];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(html`[${null}${undefined}${false}${0}]`.value).toBe('[0]');
  });

  it('a plain string that looks like markup is still escaped; only trusted() passes markup', () => {
    expect(html`${'<b>x</b>'}`.value).toBe('&lt;b&gt;x&lt;/b&gt;');
    expect(html`${trusted('<b>x</b>')}`.value).toBe('<b>x</b>');
    expect(escapeHtml('a & b')).toBe('a &amp; b');
  });

  it('queryString keeps only non-empty values and encodes them', () => {
    expect(queryString({ a: 'x y', b: '', c: undefined, d: '&' })).toBe('?a=x+y&d=%26');
    expect(queryString({ a: '' })).toBe('');
  });
});
