/**
 * The Image layers picture: the local images, the one chosen, its layers (with each layer's file
 * counts) and dive's file view of a layer or the whole image. After a build it shows the image the
 * build made: it follows the newest image until a refresh that began after the build finished
 * (refreshes during the build, for its RUN steps' containers, would otherwise settle on the base image).
 */
import type { HistoryEntry, ImageInspect, ImageSummary } from '../engine/api.ts';
import type { LayerStats } from '../engine/layer/index.ts';
import { imageLayersView, type ImageLayersView } from '../views/image-layers.ts';
import type { ImageFilesView, LayerFilesView } from '../views/layer-files.ts';

/** What the file view draws (as `LayerFiles` takes it): a layer's files or the whole image's. */
type FilesView = Omit<LayerFilesView, 'root'> | Omit<ImageFilesView, 'root'>;
import type { EngineClient } from './engine-client.ts';

/** The chosen image's layers and files, kept in step with the engine. */
export class ImagePicture {
  images: ImageSummary[] = $state([]);
  /** The chosen image's ID. */
  chosen: string | undefined = $state();
  layersView: ImageLayersView | undefined = $state();
  /** dive's file view: a layer index, 'image' for the whole image, or undefined when closed. */
  filesOf: number | 'image' | undefined = $state();
  filesView: FilesView | undefined = $state();
  /** Only changed files in the file view. */
  changesOnly = $state(false);
  /** Folders opened in the file view. */
  private expanded: string[] = [];
  private followBuild = false;
  /** The image list and choice the layers view was last drawn for: an image never changes, so the same list needs no new drawing. */
  private shown = '';

  constructor(private readonly client: () => EngineClient | undefined) {}

  /** A build started: show the image it makes (the newest), not the one it may leave dangling. */
  buildStarted(): void {
    this.chosen = undefined;
    this.followBuild = true;
  }

  /** Reads the images again; `buildFinished` says whether the last build had ended when this began. */
  async refresh(buildFinished: boolean): Promise<void> {
    const built = this.followBuild && buildFinished;
    this.images =
      (await this.client()
        ?.query<ImageSummary[]>('images.list')
        .catch(() => this.images)) ?? [];
    if (this.followBuild || !this.chosen || !this.images.some((i) => i.id === this.chosen)) this.chosen = this.images[0]?.id;
    if (built) this.followBuild = false;
    // most commands (docker run, exec, ps) change no image: nothing to read again
    if (this.layersView && this.shown === this.drawnFor()) return;
    await this.show();
  }

  /** What the layers view depends on: the chosen image and its tags (an image's layers never change). */
  private drawnFor(chosen = this.chosen): string {
    return JSON.stringify([chosen, this.images.find((i) => i.id === chosen)?.repoTags]);
  }

  /** Another image was chosen: its layers, with the file view closed. */
  choose(id: string | undefined): void {
    this.chosen = id;
    this.filesOf = undefined;
    void this.show();
  }

  /** Draws the chosen image's layers (with per-layer file counts). */
  async show(): Promise<void> {
    const client = this.client();
    const chosen = this.chosen;
    if (!client || !chosen) return void (this.layersView = undefined);
    const [inspect, history, stats] = await Promise.all([
      client.query<ImageInspect>('images.inspect', chosen),
      client.query<HistoryEntry[]>('images.history', chosen),
      client.query<Record<string, LayerStats>>('images.layerStats', chosen).catch(() => ({})),
    ]);
    this.layersView = imageLayersView(inspect, history, new Map(Object.entries(stats)));
    this.shown = this.drawnFor(chosen);
    void this.showFiles();
  }

  /** Opens the file view of a layer or of the whole image. */
  selectFiles(which: number | 'image'): void {
    this.filesOf = which;
    this.expanded = [];
    void this.showFiles();
  }

  /** Opens a folder in the file view. */
  expand(path: string): void {
    this.expanded = [...this.expanded, path];
    void this.showFiles();
  }

  /** Shows only changed files, or all. */
  setChangesOnly(value: boolean): void {
    this.changesOnly = value;
    void this.showFiles();
  }

  private async showFiles(): Promise<void> {
    const client = this.client();
    if (!client || !this.chosen || this.filesOf === undefined) return void (this.filesView = undefined);
    this.filesView = await client.query<FilesView>('images.files', this.chosen, this.filesOf === 'image' ? null : this.filesOf, {
      maxDepth: 1,
      expand: this.expanded,
      changesOnly: this.changesOnly,
    });
  }
}
