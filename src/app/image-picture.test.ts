import { describe, expect, it } from 'vitest';
import type { HistoryEntry, ImageInspect, ImageSummary } from '../engine/api.ts';
import python from '../views/testdata/python-image.json' with { type: 'json' };
import type { EngineClient } from './engine-client.ts';
import { ImagePicture } from './image-picture.svelte.ts';

/** An engine client answering the picture's queries from one image, counting what was asked. */
function fakeClient(images: () => ImageSummary[]) {
  const asked: string[] = [];
  const client = {
    query: async (path: string) => {
      asked.push(path);
      if (path === 'images.list') return images();
      if (path === 'images.inspect') return python.inspect as ImageInspect;
      if (path === 'images.history') return python.history as HistoryEntry[];
      if (path === 'images.layerStats') return {};
      throw new Error(`not asked for: ${path}`);
    },
  } as unknown as EngineClient;
  return { client, asked };
}

describe('ImagePicture', () => {
  it('reads the chosen image again only when the images changed, never after a command that changed none', async () => {
    const inspect = python.inspect as ImageInspect;
    const summary: ImageSummary = { id: inspect.Id, repoTags: ['python:3.11-slim'], created: '', size: 1, containers: 0, labels: {} };
    let list = [summary];
    const { client, asked } = fakeClient(() => list);
    const picture = new ImagePicture(() => client);
    await picture.refresh(true);
    expect(asked.sort()).toEqual(['images.history', 'images.inspect', 'images.layerStats', 'images.list']);
    expect(picture.layersView?.layers.length).toBeGreaterThan(0);
    // docker run: a container more uses the image; its layers are the same
    asked.length = 0;
    list = [{ ...summary, containers: 1 }];
    await picture.refresh(true);
    expect(asked).toEqual(['images.list']);
    // docker tag: the image's tags changed, and the picture names them
    asked.length = 0;
    list = [{ ...summary, repoTags: ['python:3.11-slim', 'mine:1'] }];
    await picture.refresh(true);
    expect(asked.sort()).toEqual(['images.history', 'images.inspect', 'images.layerStats', 'images.list']);
  });
});
