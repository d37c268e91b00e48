/**
 * Reads `lessons/NN-slug/` folders at build time (Node): frontmatter checked by the schema, the
 * markdown turned into safe Block data (raw HTML becomes text, only https/http/relative links),
 * start/ and solution/ files read. Any problem throws a `LessonError` naming the file and field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { parse as parseYaml } from 'yaml';
import { safeHref } from '../links.ts';
import { frontmatterSchema } from '../schema.ts';
import { DEMOS, type Block, type DemoName, type Inline, type Lesson, type LessonFile, type Step } from '../types.ts';

/** A lesson that does not follow lessons/README.md. */
export class LessonError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'LessonError';
  }
}

const FOLDER = /^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e]!);

function inlines(tokens: Token[] | undefined, file: string): Inline[] {
  const out: Inline[] = [];
  for (const tok of tokens ?? []) {
    switch (tok.type) {
      case 'text':
        if ('tokens' in tok && tok.tokens?.length) out.push(...inlines(tok.tokens, file));
        else out.push({ t: 'text', text: decode((tok as Tokens.Text).text) });
        break;
      case 'escape':
        out.push({ t: 'text', text: (tok as Tokens.Escape).text });
        break;
      case 'codespan':
        out.push({ t: 'code', text: decode((tok as Tokens.Codespan).text) });
        break;
      case 'strong':
        out.push({ t: 'strong', children: inlines((tok as Tokens.Strong).tokens, file) });
        break;
      case 'em':
      case 'del':
        out.push({ t: 'em', children: inlines((tok as Tokens.Em).tokens, file) });
        break;
      case 'link': {
        const link = tok as Tokens.Link;
        if (safeHref(link.href) === undefined)
          throw new LessonError(file, `link ${JSON.stringify(link.href)} is not https:, http: or relative`);
        out.push({ t: 'link', href: link.href, children: inlines(link.tokens, file) });
        break;
      }
      case 'br':
        out.push({ t: 'br' });
        break;
      case 'image':
        out.push({ t: 'text', text: (tok as Tokens.Image).text });
        break;
      default:
        // raw HTML and anything unknown is shown as the text it is
        out.push({ t: 'text', text: tok.raw });
    }
  }
  return out;
}

function blocks(tokens: Token[], file: string): Block[] {
  const out: Block[] = [];
  for (const tok of tokens) {
    switch (tok.type) {
      case 'space':
        break;
      case 'paragraph':
        out.push({ t: 'paragraph', children: inlines((tok as Tokens.Paragraph).tokens, file) });
        break;
      case 'text':
        out.push({
          t: 'paragraph',
          children: inlines(
            (tok as Tokens.Text).tokens ?? [{ type: 'text', raw: tok.raw, text: (tok as Tokens.Text).text } as Token],
            file,
          ),
        });
        break;
      case 'heading': {
        const h = tok as Tokens.Heading;
        out.push({ t: 'heading', level: h.depth, children: inlines(h.tokens, file) });
        break;
      }
      case 'list': {
        const l = tok as Tokens.List;
        out.push({ t: 'list', ordered: l.ordered, items: l.items.map((item) => blocks(item.tokens, file)) });
        break;
      }
      case 'blockquote':
        out.push({ t: 'quote', children: blocks((tok as Tokens.Blockquote).tokens, file) });
        break;
      case 'table': {
        const table = tok as Tokens.Table;
        out.push({
          t: 'table',
          header: table.header.map((c) => inlines(c.tokens, file)),
          rows: table.rows.map((r) => r.map((c) => inlines(c.tokens, file))),
        });
        break;
      }
      case 'code': {
        const code = tok as Tokens.Code;
        const [lang = '', arg = ''] = (code.lang ?? '').trim().split(/\s+/);
        if (lang === 'run') {
          const commands = code.text
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean);
          if (!commands.length) throw new LessonError(file, 'a ```run block has no command');
          out.push({ t: 'run', commands });
        } else if (lang === 'demo') {
          if (!DEMOS.includes(arg as DemoName)) throw new LessonError(file, `unknown demo "${arg}" (known: ${DEMOS.join(', ')})`);
          out.push({ t: 'demo', name: arg as DemoName });
        } else out.push({ t: 'code', lang, text: code.text });
        break;
      }
      case 'hr':
        out.push({ t: 'rule' });
        break;
      default:
        out.push({ t: 'paragraph', children: [{ t: 'text', text: tok.raw }] });
    }
  }
  return out;
}

function readFiles(dir: string): LessonFile[] {
  if (!existsSync(dir)) return [];
  const out: LessonFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== '.gitkeep') out.push({ path: relative(dir, p).split('\\').join('/'), text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** Splits `---\nyaml\n---\nbody`. */
function splitFrontmatter(source: string, file: string): { yaml: string; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!m) throw new LessonError(file, 'must start with YAML frontmatter between "---" lines');
  return { yaml: m[1]!, body: m[2]! };
}

/** Reads one lesson folder. */
export function loadLesson(dir: string, id: string): Lesson {
  const file = join(dir, 'lesson.md');
  const m = FOLDER.exec(id);
  if (!m) throw new LessonError(dir, 'a lesson folder is named NN-slug (two digits, a lowercase slug)');
  if (!existsSync(file)) throw new LessonError(dir, 'has no lesson.md');
  const { yaml, body } = splitFrontmatter(readFileSync(file, 'utf8'), file);
  let raw: unknown;
  try {
    raw = parseYaml(yaml);
  } catch (err) {
    throw new LessonError(file, `frontmatter is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = frontmatterSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LessonError(file, `frontmatter ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const fm = parsed.data;
  // sections: text before the first "## " is the introduction; each "## " is one step
  const sections = body.split(/^## +/m);
  const intro = sections.shift() ?? '';
  if (sections.length !== fm.steps.length) {
    throw new LessonError(file, `has ${sections.length} "## " sections but ${fm.steps.length} steps in its frontmatter`);
  }
  const steps: Step[] = sections.map((section, i) => {
    const nl = section.indexOf('\n');
    const title = (nl < 0 ? section : section.slice(0, nl)).trim();
    const want = fm.steps[i]!;
    if (title !== want.title)
      throw new LessonError(file, `step ${i + 1}: the heading "## ${title}" differs from the frontmatter title "${want.title}"`);
    const step: Step = { id: `s${i + 1}`, title, body: blocks(marked.lexer(nl < 0 ? '' : section.slice(nl + 1)), file) };
    if (want.exercise)
      step.exercise = { ...want.exercise, solution: { files: want.exercise.solution.files, commands: want.exercise.solution.commands } };
    return step;
  });
  const solution = readFiles(join(dir, 'solution'));
  /** The folders a step's "Show me" copies in: before its commands, and between them. */
  const foldersOf = (s: Step) =>
    s.exercise ? [s.exercise.solution.files, ...s.exercise.solution.commands.map((c) => (typeof c === 'string' ? false : c.files))] : [];
  if (steps.some((s) => foldersOf(s).includes(true)) && !solution.length)
    throw new LessonError(dir, 'an exercise copies solution/ files but solution/ is empty');
  const solutions: Record<string, LessonFile[]> = {};
  for (const s of steps) {
    for (const folder of foldersOf(s)) {
      if (typeof folder !== 'string') continue;
      solutions[folder] = readFiles(join(dir, folder));
      if (!solutions[folder].length) throw new LessonError(dir, `step "${s.title}" copies ${folder}/ but that folder is missing or empty`);
    }
  }
  return {
    id,
    number: Number(m[1]),
    title: fm.title,
    summary: fm.summary,
    goals: fm.goals,
    images: fm.images,
    intro: blocks(marked.lexer(intro), file),
    steps,
    start: readFiles(join(dir, 'start')),
    solution,
    ...(Object.keys(solutions).length ? { solutions } : {}),
  };
}

/** Reads every lesson under `root`, in order of their numbers. */
export function loadLessons(root: string): Lesson[] {
  const lessons = readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => loadLesson(join(root, name), name));
  const numbers = new Set<number>();
  for (const l of lessons) {
    if (numbers.has(l.number)) throw new LessonError(join(root, l.id), `another lesson already has number ${l.number}`);
    numbers.add(l.number);
  }
  return lessons;
}
