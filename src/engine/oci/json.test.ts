import { describe, expect, it } from 'vitest';
import { OciError } from './errors.ts';
import { canonicalJson, compareCodePoints, CONFIG_SHAPE, DESCRIPTOR_SHAPE, INDEX_SHAPE, MANIFEST_SHAPE } from './json.ts';

describe('canonicalJson', () => {
  it('writes known struct fields in Go struct order, compactly', () => {
    const d = { size: 3, digest: 'sha256:x', mediaType: 'a/b', annotations: { b: '2', a: '1' } };
    expect(canonicalJson(d, DESCRIPTOR_SHAPE)).toBe('{"mediaType":"a/b","digest":"sha256:x","size":3,"annotations":{"a":"1","b":"2"}}');
    const m = { layers: [d], config: d, mediaType: 'm/t', schemaVersion: 2 };
    expect(canonicalJson(m, MANIFEST_SHAPE).startsWith('{"schemaVersion":2,"mediaType":"m/t","config":{"mediaType":"a/b"')).toBe(true);
    expect(canonicalJson({ manifests: [], schemaVersion: 2 }, INDEX_SHAPE)).toBe('{"schemaVersion":2,"manifests":[]}');
  });

  it('sorts map keys by code point, including integer-like keys JS would reorder', () => {
    const labels = { b: 'x', '10': 'y', '9': 'z', a: 'w', é: 'v', '😀': 'u', '\uffff': 't' };
    expect(
      canonicalJson({ architecture: 'a', os: 'o', config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] } }, CONFIG_SHAPE),
    ).toBe(
      '{"architecture":"a","os":"o","config":{"Labels":{"10":"y","9":"z","a":"w","b":"x","é":"v","\uffff":"t","😀":"u"}},"rootfs":{"type":"layers","diff_ids":[]}}',
    );
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0); // UTF-16 order would say the opposite
  });

  it('keeps unknown fields after the known ones, drops undefined, keeps null', () => {
    expect(canonicalJson({ z: 1, os: 'linux', architecture: 'x', rootfs: undefined, config: { Cmd: null } }, CONFIG_SHAPE)).toBe(
      '{"architecture":"x","os":"linux","config":{"Cmd":null},"z":1}',
    );
  });

  it('escapes like Go encoding/json', () => {
    expect(canonicalJson(['<a> & "b"\n\u2028\u2029\u0001'])).toBe('["\\u003ca\\u003e \\u0026 \\"b\\"\\n\\u2028\\u2029\\u0001"]');
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ size: Number.NaN })).toThrow(OciError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});
