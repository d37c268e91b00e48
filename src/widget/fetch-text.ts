/**
 * Fetches a small text file for the widget (`files=` and `dockerfile-src=` attributes) without
 * trusting the server's size: the body is read as a stream and refused past `maxBytes`, so a huge
 * or endless answer cannot fill the page's memory.
 */

/** A file the widget was pointed at, refused with a message a page author can act on. */
export class WidgetFetchError extends Error {
  override name = 'WidgetFetchError';
}

/** The text at `url`, at most `maxBytes` of UTF-8. */
export async function fetchTextBounded(url: string, maxBytes: number, fetcher: typeof fetch = fetch): Promise<string> {
  const res = await fetcher(url);
  if (!res.ok) throw new WidgetFetchError(`${url} answered HTTP ${res.status}`);
  const tooBig = () =>
    new WidgetFetchError(`${url} is larger than ${Math.round(maxBytes / 1024)} KB, more than the widget takes for one file`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw tooBig();
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooBig();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
