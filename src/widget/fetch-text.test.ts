import { describe, expect, it } from 'vitest';
import { fetchTextBounded, WidgetFetchError } from './fetch-text.ts';

const serve = (body: BodyInit | null, init?: ResponseInit) => (async () => new Response(body, init)) as unknown as typeof fetch;

describe('fetchTextBounded', () => {
  it('reads a small file', async () => {
    expect(await fetchTextBounded('/Dockerfile', 100, serve('FROM busybox\n'))).toBe('FROM busybox\n');
  });
  it('refuses an answer larger than the limit, declared or not', async () => {
    await expect(fetchTextBounded('/big', 10, serve('x'.repeat(11)))).rejects.toThrow(/larger than 0 KB/);
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(4096)) });
    await expect(fetchTextBounded('/endless', 64 * 1024, serve(endless))).rejects.toBeInstanceOf(WidgetFetchError);
    await expect(fetchTextBounded('/declared', 10, serve('x', { headers: { 'content-length': '99999' } }))).rejects.toThrow(/larger than/);
  });
  it('says which file failed and how', async () => {
    await expect(fetchTextBounded('/missing', 10, serve('no', { status: 404 }))).rejects.toThrow('/missing answered HTTP 404');
  });
});
