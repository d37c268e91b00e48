/**
 * The lesson frontmatter schema (zod). Used at build time by src/content/compile and by the tests,
 * and lazily by the page to validate a check that arrives in a shared link (zod is then its own
 * chunk, never in the main bundle). The descriptions are the documentation (see lessons/README.md).
 */
import { z } from 'zod';
import type { Check } from './types.ts';

const pattern = z
  .string()
  .min(1)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid JavaScript regular expression')
  // a quantified group that itself repeats, like (a+)+, can take forever to match (a check from a
  // shared link must not be able to hang the engine's worker)
  .refine(
    (s) => !/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/.test(s),
    'must not repeat a group that repeats inside (like (a+)+): it can take forever to match',
  )
  // likewise a repeated group of alternatives that can match the same text, like (a|a)* or (a|ab)+
  .refine(
    (s) => !/\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)[+*{]/.test(s),
    'must not repeat a group of alternatives (like (a|ab)*): it can take forever to match; repeat each alternative on its own instead',
  )
  .refine((s) => s.length <= 300, 'must be at most 300 characters');
const state = z.enum(['running', 'exited', 'created']);
const fileIn = z.strictObject({ path: z.string().min(1), contains: pattern.optional().describe('the text of the file matches') });
/** `removed: true` says the thing existed and is gone: it cannot be asked for together with `exists: true`. */
const notBoth = (c: { exists?: boolean | undefined; removed?: boolean | undefined }) => !(c.removed && c.exists === true);
const notBothMessage = { message: 'removed: true already says it does not exist: drop exists: true' };
const message = { message: z.string().min(1).optional().describe('the "not yet" text shown when this predicate fails') };

/** One predicate, or all/any/not of predicates. */
export const checkSchema: z.ZodType<Check> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(checkSchema).min(1), ...message }),
    z.strictObject({ any: z.array(checkSchema).min(1), ...message }),
    z.strictObject({ not: checkSchema, ...message }),
    z.strictObject({
      image: z.strictObject({
        ref: z.string().min(1),
        exists: z.boolean().optional(),
        layerCreatedBy: pattern.optional().describe('some history entry created_by matches'),
        minLayers: z.number().int().min(0).optional(),
        cmd: z.array(z.string()).optional(),
        runs: pattern.optional().describe('Entrypoint then Cmd, words joined by spaces, matches'),
        workdir: z.string().optional(),
        file: fileIn.optional().describe('a file in the image'),
      }),
      ...message,
    }),
    z.strictObject({
      container: z
        .strictObject({
          name: z.string().min(1),
          exists: z.boolean().optional(),
          removed: z.boolean().optional().describe('one of this name was removed while the lesson was open, and none exists now'),
          state: state.optional(),
          image: z.string().optional(),
          exitCode: z.number().int().optional(),
          mount: z.strictObject({ volume: z.string().optional(), bind: z.boolean().optional(), destination: z.string().min(1) }).optional(),
          diff: z.array(z.strictObject({ path: z.string().min(1), kind: z.enum(['A', 'C', 'D']) })).optional(),
          file: fileIn.optional(),
        })
        .refine(notBoth, notBothMessage),
      ...message,
    }),
    z.strictObject({
      containers: z.strictObject({
        image: z.string().optional(),
        state: state.optional(),
        min: z.number().int().min(0).optional(),
        max: z.number().int().min(0).optional(),
      }),
      ...message,
    }),
    z.strictObject({
      volume: z
        .strictObject({
          name: z.string().min(1),
          exists: z.boolean().optional(),
          removed: z.boolean().optional().describe('one of this name was removed while the lesson was open, and none exists now'),
          file: fileIn.optional().describe('a file in the volume, relative to its top folder'),
        })
        .refine(notBoth, notBothMessage),
      ...message,
    }),
    z.strictObject({
      ran: z.strictObject({
        command: pattern,
        exitCode: z.number().int().optional(),
        output: pattern.optional(),
        after: z
          .union([pattern, z.strictObject({ command: pattern, output: pattern.optional() })])
          .optional()
          .describe('only count commands after the last one matching this'),
      }),
      ...message,
    }),
    z.strictObject({
      build: z.strictObject({
        tag: z.string().optional(),
        cached: z.array(pattern).optional(),
        ran: z.array(pattern).optional(),
        minSteps: z.number().int().min(0).optional(),
      }),
      ...message,
    }),
    z.strictObject({ registry: z.strictObject({ repository: z.string().min(1), tag: z.string().optional() }), ...message }),
    z.strictObject({
      port: z.strictObject({
        hostPort: z.number().int().min(1).max(65535),
        path: z.string().startsWith('/').optional(),
        contains: pattern.optional(),
      }),
      ...message,
    }),
    z.strictObject({
      network: z.strictObject({
        name: z.string().min(1),
        exists: z.boolean().optional(),
        containers: z.array(z.string().min(1)).optional(),
      }),
      ...message,
    }),
    z.strictObject({
      file: z.strictObject({ path: z.string().min(1), exists: z.boolean().optional(), contains: pattern.optional() }),
      ...message,
    }),
  ]),
);

const solutionFolder = z.string().regex(/^solution-[a-z0-9-]+$/, 'a solution folder is named solution-NAME');

/** A lesson's frontmatter. */
export const frontmatterSchema = z.strictObject({
  title: z.string().min(1).describe('shown in the lesson list and above the text'),
  summary: z.string().min(1).describe('one sentence for the lesson list'),
  goals: z.array(z.string().min(1)).min(1).describe('what a student can do afterwards'),
  images: z.array(z.string().min(1)).default([]).describe('pulled, with progress, when the lesson opens'),
  steps: z
    .array(
      z.strictObject({
        title: z.string().min(1).describe('equals the text of its "## " heading'),
        exercise: z
          .strictObject({
            task: z.string().min(1).describe('what to do, shown above the Check button'),
            check: checkSchema,
            hints: z.array(z.string().min(1)).min(1).describe('one more is shown after each failed check'),
            solution: z.strictObject({
              files: z
                .union([z.boolean(), solutionFolder])
                .default(false)
                .describe('copy solution/ (true) or the named folder solution-NAME into the workspace first'),
              commands: z
                .array(z.union([z.string().min(1), z.strictObject({ files: z.union([z.literal(true), solutionFolder]) })]))
                .default([])
                .describe('typed into the terminal in order; { files: true | solution-NAME } copies that folder in at that point'),
            }),
          })
          .optional(),
      }),
    )
    .min(1),
});

/** The frontmatter as written. */
export type Frontmatter = z.infer<typeof frontmatterSchema>;
