/**
 * The page's latest build, as the Build panel draws it: the worker's build events turned into a
 * step view (against the build before it, for the cache cascade), and where a failure should be
 * marked in the editor.
 */
import type { BuildEvent } from '../engine/api.ts';
import { buildStepsView, type BuildStepsView } from '../views/build-steps.ts';

/** A failed build's Dockerfile line and why, for the editor. */
export interface BuildFailureMark {
  line: number;
  message: string;
}

/** Follows the builds the worker reports. */
export class BuildTracker {
  /** The latest build's steps; undefined before the first build. */
  view: BuildStepsView | undefined = $state();
  private events: BuildEvent[] = [];
  private previous: BuildStepsView | undefined;

  /** A build began: the last one that ended well becomes the one to compare with. */
  start(): void {
    if (this.view?.finished) this.previous = this.view;
    this.events = [];
    this.view = buildStepsView([], this.previous);
  }

  /** One event of the running build; returns the line to mark when it is the build's failure. */
  event(e: BuildEvent): BuildFailureMark | undefined {
    this.events.push(e);
    const view = buildStepsView(this.events, this.previous);
    this.view = view;
    if (e.type === 'step-error' && !e.cancelled) {
      const step = view.steps.find((s) => s.step === e.step);
      return step?.line ? { line: step.line, message: step.error } : undefined;
    }
    // a failure outside a step (a syntax error, ENV, HEALTHCHECK…) still has its line
    if (e.type === 'build-end' && e.outcome === 'failed' && view.stoppedAt === null && view.errorLine !== undefined) {
      return { line: view.errorLine, message: view.error };
    }
    return undefined;
  }
}
