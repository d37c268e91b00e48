import { describe, expect, it } from 'vitest';
import type { HistoryEntry, ImageInspect } from '../engine/api.ts';
import { imageLayersView, instructionFromCreatedBy, instructionKeyword, MIN_LAYER_HEIGHT, type ImageLayersView } from './image-layers.ts';
import { expectGolden, wrap } from './testdata/golden.ts';
import python from './testdata/python-image.json' with { type: 'json' };
import { webImage } from './testdata/web-image.ts';

const pythonInspect = python.inspect as ImageInspect;
const pythonHistory = python.history as HistoryEntry[];

/** The stack as text, bottom layer first, with the markers where they fall. */
function formatImageLayers(v: ImageLayersView): string {
  const out = [`${v.title} (${v.shortId}) ${v.layerCountLabel} ${v.totalSizeLabel} tags=${v.tags.join(',')}`];
  const markers = (after: number) => v.metadataSteps.filter((m) => m.afterLayer === after);
  const marker = (m: ImageLayersView['metadataSteps'][number]) => `      · ${m.keyword.padEnd(7)} ${m.instruction}`;
  for (const m of markers(-1)) out.push(marker(m));
  for (const l of v.layers) {
    const amr = l.added === undefined ? '' : ` +${l.added} ~${l.modified} -${l.removed} wasted=${l.wastedSize}B`;
    const bar = '#'.repeat(Math.round(l.relativeHeight * 20)).padEnd(20, '.');
    out.push(
      `  [${l.index}] ${bar} ${l.relativeHeight.toFixed(3)} ${l.sizeLabel.padStart(7)} ${l.keyword.padEnd(7)} ${l.label}${amr}${l.emptyLayer ? ' (empty)' : ''}`,
    );
    out.push(`       ${l.shortId} digest=${l.digest.slice(7, 19) || '-'} created=${l.created || '-'}`);
    if (l.instruction !== l.label) out.push(`       instruction: ${l.instruction}`);
    for (const m of markers(l.index)) out.push(marker(m));
  }
  out.push('alt:', wrap(v.alt));
  return `${out.join('\n')}\n`;
}

describe('instructionFromCreatedBy', () => {
  it.each([
    ['RUN /bin/sh -c pip install -r requirements.txt # buildkit', 'RUN pip install -r requirements.txt'],
    ['RUN |1 VERSION=2.2.2 /bin/sh -c pip install flask==$VERSION # buildkit', 'RUN pip install flask==$VERSION'],
    ['RUN |2 A=1 B=two /bin/sh -c echo $A $B # buildkit', 'RUN echo $A $B'],
    [
      'RUN /bin/sh -c apt-get update &&     apt-get install -y curl &&     rm -rf /var/lib/apt/lists/* # buildkit',
      'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*',
    ],
    ['RUN python3 -m compileall /app # buildkit', 'RUN python3 -m compileall /app'],
    ['RUN /bin/bash -c set -o pipefail && wget -O - https://x | wc -l # buildkit', 'RUN set -o pipefail && wget -O - https://x | wc -l'],
    ['COPY requirements.txt . # buildkit', 'COPY requirements.txt .'],
    ['COPY . /app # buildkit', 'COPY . /app'],
    ['ADD https://example.com/data.tar.gz /data # buildkit', 'ADD https://example.com/data.tar.gz /data'],
    ['WORKDIR /app', 'WORKDIR /app'],
    ['CMD ["flask" "run" "--host=0.0.0.0"]', 'CMD ["flask", "run", "--host=0.0.0.0"]'],
    ['ENTRYPOINT ["python3" "-m" "http.server"]', 'ENTRYPOINT ["python3", "-m", "http.server"]'],
    ['CMD ["sh" "-c" "echo \\"hi\\""]', 'CMD ["sh", "-c", "echo \\"hi\\""]'],
    ['EXPOSE [5000/tcp]', 'EXPOSE 5000'],
    ['EXPOSE [80/tcp 53/udp]', 'EXPOSE 80 53/udp'],
    ['EXPOSE map[8080/tcp:{}]', 'EXPOSE 8080'],
    ['VOLUME [/data]', 'VOLUME /data'],
    ['SHELL [/bin/bash -c]', 'SHELL ["/bin/bash", "-c"]'],
    ['ENV FLASK_APP=app.py', 'ENV FLASK_APP=app.py'],
    ['USER 1000:1000', 'USER 1000:1000'],
    [
      'HEALTHCHECK {Test:[CMD-SHELL wget -q -O - http://localhost:5000/] Interval:30s Timeout:3s StartPeriod:0s StartInterval:0s Retries:3}',
      'HEALTHCHECK CMD wget -q -O - http://localhost:5000/',
    ],
    ['HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}', 'HEALTHCHECK NONE'],
    // the legacy builder
    ['/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'],
    ['/bin/sh -c #(nop) ADD file:7d51ba8f0a0a2a0b0c in / ', 'ADD file:7d51ba8f0a0a2a0b0c in /'],
    ['/bin/sh -c #(nop)  EXPOSE 80', 'EXPOSE 80'],
    ['/bin/sh -c apk add --no-cache curl', 'RUN apk add --no-cache curl'],
    ['|1 A=b /bin/sh -c echo $A', 'RUN echo $A'],
    // made by other tools: kept as written
    [
      'ADD busybox-static_1:1.35.0-4+deb12u1+b1_i386 /  # BusyBox 1.35.0, 268 applets hard-linked in /bin',
      'ADD busybox-static_1:1.35.0-4+deb12u1+b1_i386 / # BusyBox 1.35.0, 268 applets hard-linked in /bin',
    ],
    ['# python 3.11 (Debian 3.11.2-6+deb12u8) from 19 Debian packages', 'python 3.11 (Debian 3.11.2-6+deb12u8) from 19 Debian packages'],
    ['', ''],
  ])('%s', (createdBy, want) => {
    expect(instructionFromCreatedBy(createdBy)).toBe(want);
  });

  it('names the keyword only for real instructions', () => {
    expect(instructionKeyword('RUN echo')).toBe('RUN');
    expect(instructionKeyword('HEALTHCHECK NONE')).toBe('HEALTHCHECK');
    expect(instructionKeyword('# python 3.11')).toBe('');
    expect(instructionKeyword('RUNNER x')).toBe('');
    expect(instructionKeyword('CMD')).toBe('CMD');
  });
});

describe('imageLayersView', () => {
  it('web:1 with statistics (golden)', async () => {
    const web = await webImage();
    const view = imageLayersView(web.inspect, web.history, web.stats);
    expectGolden('image-layers-web', formatImageLayers(view));

    expect(view.layerCount).toBe(7);
    expect(view.layerCountLabel).toBe('7 layers');
    const one = imageLayersView(
      { ...web.inspect, RootFS: { ...web.inspect.RootFS, Layers: web.inspect.RootFS.Layers.slice(0, 1) } },
      web.history.slice(-1),
      web.stats,
    );
    expect(one.layerCountLabel).toBe('1 layer');
    expect(view.layers.map((l) => l.instruction).slice(3)).toEqual([
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN pip install -r requirements.txt',
      'COPY . /app',
    ]);
    expect(view.metadataSteps.map((m) => [m.afterLayer, m.instruction])).toEqual([
      [0, 'ENV LANG=C.UTF-8 PYTHON_VERSION=3.11.2'],
      [2, 'CMD ["python3"]'],
      [6, 'ENV FLASK_APP=app.py'],
      [6, 'EXPOSE 5000'],
      [6, 'CMD ["flask", "run", "--host=0.0.0.0"]'],
    ]);
    // the python layer deletes apt's lists and rewrites two files
    const pythonLayer = view.layers[1]!;
    expect(pythonLayer.removed).toBe(1);
    expect(pythonLayer.modified).toBe(2);
    expect(pythonLayer.wastedSize).toBeGreaterThan(30_000);
    expect(view.layers.every((l) => l.relativeHeight >= MIN_LAYER_HEIGHT && l.relativeHeight <= 1)).toBe(true);
    expect(Math.max(...view.layers.map((l) => l.relativeHeight))).toBe(1);
    expect(view.totalSize).toBe(view.layers.reduce((n, l) => n + l.size, 0));
  });

  it('python:3.11-slim without statistics (golden)', () => {
    const view = imageLayersView(pythonInspect, pythonHistory);
    expectGolden('image-layers-python', formatImageLayers(view));
    expect(view.title).toBe('python:3.11');
    expect(view.layers.every((l) => l.added === undefined)).toBe(true);
    expect(view.alt).toMatch(/^Image python:3\.11 has 3 layers, 89 MB in total, listed from the bottom: 1\. debian:bookworm-slim/);
  });

  it('reads history oldest first too', async () => {
    const web = await webImage();
    const a = imageLayersView(web.inspect, web.history, web.stats);
    const b = imageLayersView(web.inspect, [...web.history].reverse(), web.stats);
    expect(b).toEqual(a);
  });

  it('falls back to LayerDetails when there is no history', () => {
    const view = imageLayersView(pythonInspect, []);
    expect(view.layers.map((l) => l.size)).toEqual([22312960, 48793600, 17909760]);
    expect(view.layers[1]?.instruction).toBe('python 3.11 (Debian 3.11.2-6+deb12u8) from 19 Debian packages');
    expect(view.metadataSteps).toEqual([]);
  });

  it('draws an untagged image with tiny and empty layers', () => {
    const inspect: ImageInspect = {
      ...pythonInspect,
      Id: 'sha256:' + 'ab'.repeat(32),
      RepoTags: [],
      Size: 0,
      RootFS: { Type: 'layers', Layers: ['sha256:' + '11'.repeat(32), 'sha256:' + '22'.repeat(32)] },
      LayerDetails: undefined,
    };
    const history: HistoryEntry[] = [
      { id: '<missing>', created: '', createdBy: 'RUN /bin/sh -c true # buildkit', size: 0, comment: '', emptyLayer: false },
      { id: '<missing>', created: '', createdBy: 'COPY big.bin / # buildkit', size: 5_000_000, comment: '', emptyLayer: false },
    ];
    const view = imageLayersView(inspect, history);
    expect(view.title).toBe('abababababab');
    expect(view.totalSize).toBe(5_000_000);
    expect(view.layers.map((l) => [l.instruction, l.relativeHeight, l.emptyLayer, l.digest])).toEqual([
      ['COPY big.bin /', 1, false, ''],
      ['RUN true', MIN_LAYER_HEIGHT, true, ''],
    ]);
  });
});
