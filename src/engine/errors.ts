/**
 * Errors the engine raises, each with a kind and the context a user needs, worded like
 * Docker's daemon so the CLI can print them as `Error response from daemon: <message>`.
 */

/** What went wrong, in Docker's terms. */
export type EngineErrorKind =
  'not-found' | 'conflict' | 'invalid-argument' | 'unavailable' | 'build-failed' | 'cancelled' | 'store-full' | 'guest';

/** Base of every engine error. */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An image, container, volume or file that does not exist ("No such container: web"). */
export class NotFoundError extends EngineError {
  override name = 'NotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('not-found', message, options);
  }
}

/** A name already in use, an image used by a container, a running container removed without -f. */
export class ConflictError extends EngineError {
  override name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** A bad flag value, reference, name or option. */
export class InvalidArgumentError extends EngineError {
  override name = 'InvalidArgumentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-argument', message, options);
  }
}

/** Something that exists in Docker but not offline in LayerLab (pulling an unknown image, say). */
export class UnavailableError extends EngineError {
  override name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/** A build step failed; names the Dockerfile line and the step. */
export class BuildError extends EngineError {
  override name = 'BuildError';
  constructor(
    message: string,
    /** 1-based Dockerfile line of the failing instruction, when known. */
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super('build-failed', message, options);
  }
}

/** The user cancelled a long operation. */
export class OperationCancelledError extends EngineError {
  override name = 'OperationCancelledError';
  constructor(what: string) {
    super('cancelled', `${what} cancelled`);
  }
}
