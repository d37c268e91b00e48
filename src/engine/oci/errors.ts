/**
 * The one error type of the OCI package: every failure carries a machine-readable `kind` and a
 * `context` (what was being handled, expected/actual values, validation problems).
 */

/** One finding of a validator: a JSON Pointer into the document and a human reason. */
export interface Problem {
  /** JSON Pointer (RFC 6901) of the offending value, `''` for the document itself. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly message: string;
}

/** What went wrong, for callers that branch on errors without parsing messages. */
export type OciErrorKind =
  | 'invalid-digest' // not `sha256:<64 lowercase hex>` (or another algorithm we do not support)
  | 'invalid-json' // bytes are not UTF-8 JSON
  | 'invalid-document' // JSON that breaks the OCI schema (see context.problems)
  | 'digest-mismatch' // content does not hash to the digest that names it
  | 'size-mismatch' // content length differs from the descriptor's size
  | 'media-type-mismatch' // e.g. a Docker layer appended to an OCI image
  | 'inconsistent-image' // manifest and config disagree (see context.problems)
  | 'invalid-argument'; // a caller passed something unusable (negative size, bad history...)

/** Details attached to an `OciError`; every field is optional. */
export interface OciErrorContext {
  /** What was being handled, e.g. `manifest`, `config`, `layer 2`. */
  readonly what?: string;
  /** The expected value (a digest, a size, a media type). */
  readonly expected?: string | number;
  /** The value found instead. */
  readonly actual?: string | number;
  /** Validator findings, for `invalid-document` and `inconsistent-image`. */
  readonly problems?: readonly Problem[];
}

/** A rejected OCI document, digest or image operation. */
export class OciError extends Error {
  override name = 'OciError';

  /** `kind` is the category, `context` the details; `message` is for humans. */
  constructor(
    readonly kind: OciErrorKind,
    message: string,
    readonly context: OciErrorContext = {},
  ) {
    super(message);
  }
}
