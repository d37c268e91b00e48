import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLesson, loadLessons, LessonError } from './load-lessons.ts';

function lessonDir(
  md: string,
  files: Record<string, string> = { 'start/Dockerfile': 'FROM busybox\n', 'solution/Dockerfile': 'FROM busybox\n' },
): string {
  const root = mkdtempSync(join(tmpdir(), 'lesson-'));
  const dir = join(root, '01-sample');
  mkdirSync(dir);
  writeFileSync(join(dir, 'lesson.md'), md);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const GOOD = `---
title: Sample
summary: A sample lesson.
goals: [Run a container]
images: [busybox]
steps:
  - title: First
  - title: Second
    exercise:
      task: Run it.
      check: { container: { name: hello, state: exited } }
      hints: [Try docker run.]
      solution:
        files: true
        commands: [docker run --name hello busybox echo hi]
---
Intro with <script>alert(1)</script> and [a link](https://docs.docker.com/).

## First
Some **bold** and \`code\`.

\`\`\`run
docker run busybox echo hello
docker ps -a
\`\`\`

## Second
| Row | A |
|---|---|
| boot | fast |

\`\`\`demo vm-vs-container
\`\`\`
`;

describe('loadLesson', () => {
  it('reads frontmatter, splits steps at "## " and turns markdown into safe data', () => {
    const lesson = loadLesson(
      lessonDir(GOOD, { 'start/Dockerfile': 'FROM busybox\n', 'solution/Dockerfile': 'FROM busybox\nCMD ["echo"]\n' }),
      '01-sample',
    );
    expect(lesson).toMatchObject({ id: '01-sample', number: 1, title: 'Sample', images: ['busybox'] });
    expect(lesson.steps.map((s) => s.title)).toEqual(['First', 'Second']);
    expect(lesson.steps[1]!.exercise!.solution).toEqual({ files: true, commands: ['docker run --name hello busybox echo hi'] });
    expect(lesson.steps[0]!.body).toContainEqual({ t: 'run', commands: ['docker run busybox echo hello', 'docker ps -a'] });
    expect(lesson.steps[1]!.body).toContainEqual({ t: 'demo', name: 'vm-vs-container' });
    expect(lesson.start).toEqual([{ path: 'Dockerfile', text: 'FROM busybox\n' }]);
    // raw HTML stays text: no element is ever made from it
    expect(JSON.stringify(lesson.intro)).toContain('"t":"text","text":"<script>"');
    expect(JSON.stringify(lesson.intro)).not.toContain('"t":"html"');
  });

  it('names the file and field of a broken lesson', () => {
    expect(() => loadLesson(lessonDir(GOOD.replace('title: Sample\n', '')), '01-sample')).toThrow(/lesson\.md: frontmatter title/);
    expect(() => loadLesson(lessonDir(GOOD.replace('## Second', '## Other')), '01-sample')).toThrow(
      /step 2: the heading "## Other" differs/,
    );
    expect(() => loadLesson(lessonDir(GOOD.replace('state: exited', 'state: gone')), '01-sample')).toThrow(/steps\.1\.exercise\.check/);
    expect(() => loadLesson(lessonDir(GOOD.replace('https://docs.docker.com/', 'javascript:alert(1)')), '01-sample')).toThrow(
      /not https:, http: or relative/,
    );
    // a tab inside the scheme: browsers strip it, so it is javascript: all the same
    expect(() => loadLesson(lessonDir(GOOD.replace('(https://docs.docker.com/)', '(<java\tscript:alert(1)>)')), '01-sample')).toThrow(
      /not https:, http: or relative/,
    );
    expect(() => loadLesson(lessonDir(GOOD.replace('demo vm-vs-container', 'demo nope')), '01-sample')).toThrow(/unknown demo "nope"/);
    expect(() => loadLesson(lessonDir(GOOD, { 'start/Dockerfile': '' }), '01-sample')).toThrow(LessonError); // solution.files but no solution/
    expect(() =>
      loadLesson(lessonDir(GOOD.replace('{ container: { name: hello, state: exited } }', "{ ran: { command: '(' } }")), '01-sample'),
    ).toThrow(/valid JavaScript regular expression/);
    expect(() =>
      loadLesson(lessonDir(GOOD.replace('{ container: { name: hello, state: exited } }', "{ ran: { command: '(a+)+b' } }")), '01-sample'),
    ).toThrow(/can take forever to match/);
    expect(() =>
      loadLesson(lessonDir(GOOD.replace('{ container: { name: hello, state: exited } }', "{ ran: { command: '(a|ab)*c' } }")), '01-sample'),
    ).toThrow(/must not repeat a group of alternatives/);
  });

  it('copies a named solution folder for one exercise, and says when it is missing', () => {
    const md = GOOD.replace('files: true', 'files: solution-2');
    const lesson = loadLesson(
      lessonDir(md, { 'start/Dockerfile': 'FROM busybox\n', 'solution/Dockerfile': 'FROM busybox\n', 'solution-2/app.py': 'print(2)\n' }),
      '01-sample',
    );
    expect(lesson.solutions).toEqual({ 'solution-2': [{ path: 'app.py', text: 'print(2)\n' }] });
    expect(() => loadLesson(lessonDir(md), '01-sample')).toThrow(/copies solution-2\/ but that folder is missing or empty/);
    expect(() => loadLesson(lessonDir(GOOD.replace('files: true', 'files: ../etc')), '01-sample')).toThrow(/solution-NAME/);
  });

  it('lets "Show me" copy a folder in between two commands, and checks that folder too', () => {
    const md = GOOD.replace(
      'commands: [docker run --name hello busybox echo hi]',
      'commands: [docker build -t a ., { files: solution-3 }, docker build -t a .]',
    );
    const files = {
      'start/Dockerfile': 'FROM busybox\n',
      'solution/Dockerfile': 'FROM busybox\n',
      'solution-3/Dockerfile': 'FROM busybox\nCMD ["sh"]\n',
    };
    const lesson = loadLesson(lessonDir(md, files), '01-sample');
    expect(lesson.steps[1]!.exercise!.solution.commands).toEqual(['docker build -t a .', { files: 'solution-3' }, 'docker build -t a .']);
    expect(lesson.solutions).toEqual({ 'solution-3': [{ path: 'Dockerfile', text: 'FROM busybox\nCMD ["sh"]\n' }] });
    expect(() => loadLesson(lessonDir(md), '01-sample')).toThrow(/copies solution-3\/ but that folder is missing or empty/);
    expect(() => loadLesson(lessonDir(md.replace('{ files: solution-3 }', '{ files: false }'), files), '01-sample')).toThrow(
      /steps\.1\.exercise\.solution\.commands/,
    );
  });
});

describe('the lessons in lessons/', () => {
  const lessons = loadLessons(resolve('lessons'));
  it('all load and follow the schema, numbered in order', () => {
    expect(lessons.map((l) => l.number)).toEqual(lessons.map((_, i) => i + 1));
  });
  it.each(lessons.map((l) => [l.id, l] as const))('%s has an exercise, a start and a solution', (_id, l) => {
    expect(l.steps.some((s) => s.exercise)).toBe(true);
    expect(l.start.length).toBeGreaterThan(0);
    expect(l.solution.length).toBeGreaterThan(0);
    for (const s of l.steps) for (const h of s.exercise?.hints ?? []) expect(h.length).toBeGreaterThan(5);
  });
});
