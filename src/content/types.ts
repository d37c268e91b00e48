/**
 * Lessons as data: the shapes the build-time loader produces (src/content/compile) and the page and
 * the engine worker consume. No code here runs anything; see checks.ts for how a check is decided.
 */

/** A JavaScript regular expression source, matched anywhere in the text unless anchored. */
export type Pattern = string;

/** A predicate over engine state, the workspace and the commands run while the lesson was open. */
export type Check =
  | { all: Check[]; message?: string }
  | { any: Check[]; message?: string }
  | { not: Check; message?: string }
  | { image: ImageCheck; message?: string }
  | { container: ContainerCheck; message?: string }
  | { containers: ContainersCheck; message?: string }
  | { volume: VolumeCheck; message?: string }
  | { ran: RanCheck; message?: string }
  | { build: BuildCheck; message?: string }
  | { registry: RegistryCheck; message?: string }
  | { port: PortCheck; message?: string }
  | { network: NetworkCheck; message?: string }
  | { file: FileCheck; message?: string };

/** A file in an image, a container or a volume: it exists and its text matches `contains`. */
export interface FileIn {
  path: string;
  contains?: Pattern;
}

/** An image with this reference exists (or not), and optionally has these properties. */
export interface ImageCheck {
  ref: string;
  exists?: boolean;
  layerCreatedBy?: Pattern;
  minLayers?: number;
  cmd?: string[];
  /** What a container of the image runs by default (Entrypoint then Cmd, words joined by spaces) matches. */
  runs?: Pattern;
  workdir?: string;
  /** A file in the image (its layers applied in order). */
  file?: FileIn;
}

/** A container with this name exists (or not), and optionally has these properties. */
export interface ContainerCheck {
  name: string;
  exists?: boolean;
  /** One of this name was removed while the lesson was open, and none exists now. */
  removed?: boolean;
  state?: 'running' | 'exited' | 'created';
  image?: string;
  exitCode?: number;
  /** A mount at `destination`: of the volume `volume`, or (`bind: true`) a bind mount of a host folder. */
  mount?: { volume?: string; bind?: boolean; destination: string };
  diff?: { path: string; kind: 'A' | 'C' | 'D' }[];
  file?: FileIn;
}

/** How many containers (of an image, in a state) exist. */
export interface ContainersCheck {
  image?: string;
  state?: 'running' | 'exited' | 'created';
  min?: number;
  max?: number;
}

/** A named volume exists (or not), and optionally holds a file. */
export interface VolumeCheck {
  name: string;
  exists?: boolean;
  /** One of this name was removed while the lesson was open, and none exists now. */
  removed?: boolean;
  /** A file in the volume, its path relative to the volume's top folder. */
  file?: FileIn;
}

/** A command matching `command` ran in the terminal, ended with `exitCode` and printed `output`. */
export interface RanCheck {
  command: Pattern;
  exitCode?: number;
  output?: Pattern;
  /** Only count commands after the last one whose line matches (and, in the long form, whose output matches). */
  after?: Pattern | { command: Pattern; output?: Pattern };
}

/** The last finished build (of `tag`) succeeded and reused or ran these steps. */
export interface BuildCheck {
  tag?: string;
  cached?: Pattern[];
  ran?: Pattern[];
  minSteps?: number;
}

/** A running container publishes `hostPort`, and an HTTP GET of `path` (default `/`) through it answers with a page matching `contains`. */
export interface PortCheck {
  hostPort: number;
  path?: string;
  contains?: Pattern;
}

/** A network exists (or not), with these containers on it (configured, running or not). */
export interface NetworkCheck {
  name: string;
  exists?: boolean;
  containers?: string[];
}

/** The local registry holds this repository and tag. */
export interface RegistryCheck {
  repository: string;
  tag?: string;
}

/** A workspace file exists (or not) and its text matches `contains`. */
export interface FileCheck {
  path: string;
  exists?: boolean;
  contains?: Pattern;
}

/** A step of "Show me": a command typed into the terminal, or a solution folder copied in at that point. */
export type SolutionCommand = string | { files: true | string };

/** What "Show me" does: copy the solution files in, then type these commands (in order, copying folders in between where one is named). */
export interface Solution {
  /** `true`: the lesson's solution/ folder; a name: that folder of the lesson (e.g. `solution-2`). */
  files: boolean | string;
  commands: SolutionCommand[];
}

/** A task checked against the real engine. */
export interface Exercise {
  task: string;
  check: Check;
  hints: string[];
  solution: Solution;
}

/** Inline markdown, as safe data: text is always text. */
export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'strong'; children: Inline[] }
  | { t: 'em'; children: Inline[] }
  | { t: 'link'; href: string; children: Inline[] }
  | { t: 'br' };

/** Block markdown, as safe data. */
export type Block =
  | { t: 'paragraph'; children: Inline[] }
  | { t: 'heading'; level: number; children: Inline[] }
  | { t: 'list'; ordered: boolean; items: Block[][] }
  | { t: 'quote'; children: Block[] }
  | { t: 'table'; header: Inline[][]; rows: Inline[][][] }
  | { t: 'code'; lang: string; text: string }
  /** A ```run block: each command gets a Run button that types it into the terminal. */
  | { t: 'run'; commands: string[] }
  /** A ```demo NAME block: a live demonstration drawn in the lesson. */
  | { t: 'demo'; name: DemoName }
  | { t: 'rule' };

/** Live demos a lesson can embed. */
export type DemoName = 'vm-vs-container';
export const DEMOS: readonly DemoName[] = ['vm-vs-container'];

/** One step of a lesson: a `## ` section of its text, perhaps with an exercise. */
export interface Step {
  /** Stable within the lesson: `s1`, `s2`, … (progress is stored by it). */
  id: string;
  title: string;
  body: Block[];
  exercise?: Exercise;
}

/** A workspace file of a lesson's start/ or solution/ folder. */
export interface LessonFile {
  path: string;
  text: string;
}

/** A whole lesson, ready to show. */
export interface Lesson {
  /** The folder name, `03-dockerfiles`. */
  id: string;
  number: number;
  title: string;
  summary: string;
  goals: string[];
  images: string[];
  intro: Block[];
  steps: Step[];
  start: LessonFile[];
  solution: LessonFile[];
  /** Other solution folders that exercises name (`solution.files: solution-2`), by folder name. */
  solutions?: Record<string, LessonFile[]>;
}

/** What the `vm-vs-container` demo measured, on the spot, on this machine. */
export interface VmVsContainerResult {
  /** A second virtual machine booted from its kernel until a program in it (its agent) answered. */
  vmBootMs: number;
  /** `docker run --rm busybox …` until its process first printed: the median of `containerRuns`. */
  containerStartMs: number;
  /** Each timed container start (ms), after untimed warm-up runs, one after another. */
  containerRuns: number[];
  /** The kernel the second VM booted (its own). */
  vmKernel: string;
  /** That VM's memory (bytes). */
  vmMemTotal: number;
  /** `uname -r` inside the container. */
  containerKernel: string;
  /** The kernel of the machine the containers run on. */
  hostKernel: string;
  /** The container process's peak resident memory (bytes). */
  containerRss: number;
}

/** What a student has done in one lesson. */
export interface LessonProgress {
  /** Index of the step shown. */
  current: number;
  /** Steps read (without exercise) or passed (with one), by step id. */
  done: string[];
  /** When the lesson was last opened (ms since the epoch). */
  opened: number;
  /**
   * When the lesson was first opened or last restarted (ms since the epoch): commands and builds
   * from before do not count for its checks. Missing in records written before it existed.
   */
  started?: number;
  /** When this record was written (ms since the epoch): the newer of the two copies wins. */
  saved?: number;
}
