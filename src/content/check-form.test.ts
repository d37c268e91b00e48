import { describe, expect, it } from 'vitest';
import { checkFromForm, emptyRow, rowProblems, type CheckFormRow } from './check-form.ts';
import { evaluateCheck, type CheckContext } from './checks.ts';
import { checkSchema } from './schema.ts';
import { writeTar } from '../engine/layer/tar.ts';

const row = (r: Partial<CheckFormRow> & Pick<CheckFormRow, 'kind'>): CheckFormRow => ({ ...emptyRow(r.kind), ...r });

/** The five kinds of the form, filled in as a teacher would. */
const FORM_ROWS: CheckFormRow[] = [
  row({ kind: 'running', name: 'web', image: 'nginx:1.25' }),
  row({ kind: 'container', name: 'db' }),
  row({ kind: 'image', name: 'app:v1' }),
  row({ kind: 'file', name: 'web', path: '/usr/share/nginx/html/index.html', text: 'Hello from my page' }),
  row({ kind: 'ran', text: 'docker run -d --name web -p 8080:80 nginx' }),
];

/** Nothing exists and nothing ran: every condition fails. */
const empty: CheckContext = {
  engine: {
    images: { inspect: async () => Promise.reject(new Error('no such image')) },
    containers: { inspect: async () => Promise.reject(new Error('no such container')), list: async () => [] },
    volumes: { list: async () => [] },
    networks: { inspect: async () => Promise.reject(new Error('no such network')) },
  } as unknown as CheckContext['engine'],
  httpGet: async () => ({ error: 'nothing publishes it' }),
  registryTags: async () => undefined,
  files: {},
  commands: [],
  builds: [],
  removals: [],
  imageFile: async () => undefined,
  volumeFile: async () => undefined,
};
/** A running container web whose index.html says something else. */
const webRunning: CheckContext = {
  ...empty,
  engine: {
    ...empty.engine,
    containers: {
      ...empty.engine.containers,
      inspect: async () => ({ State: { Status: 'running' }, Config: { Image: 'nginx:1.25' }, Mounts: [] }),
      copyFrom: async () => {
        const data = new TextEncoder().encode('Welcome to nginx!');
        const stat = { name: 'index.html', type: 'file', size: data.length, mode: 0o644, mtime: 0, linkTarget: '' };
        return { stat, tar: writeTar([{ name: 'index.html', type: 'file', data }]) };
      },
    },
  } as unknown as CheckContext['engine'],
};

describe('checkFromForm', () => {
  it('turns each condition into the vocabulary, escaping what the teacher typed', () => {
    expect(checkFromForm([FORM_ROWS[0]!])).toEqual({ container: { name: 'web', state: 'running', image: 'nginx:1.25' } });
    expect(checkFromForm([FORM_ROWS[1]!])).toEqual({ container: { name: 'db' } });
    expect(checkFromForm([FORM_ROWS[2]!])).toEqual({ image: { ref: 'app:v1' } });
    expect(checkFromForm([row({ kind: 'file', name: 'web', path: '/a.txt', text: 'v1.0 (beta)' })])).toEqual({
      container: { name: 'web', file: { path: '/a.txt', contains: 'v1\\.0 \\(beta\\)' } },
    });
    expect(checkFromForm([row({ kind: 'ran', text: '  docker ps -a  ' })])).toEqual({ ran: { command: 'docker ps -a' } });
  });

  it('combines several conditions with all, and every one passes the schema', () => {
    const check = checkFromForm(FORM_ROWS)!;
    expect('all' in check && check.all).toHaveLength(FORM_ROWS.length);
    expect(checkSchema.safeParse(check).success).toBe(true);
    // what a teacher may type, regular expression characters included, stays a valid, safe pattern
    expect(checkSchema.safeParse(checkFromForm([row({ kind: 'ran', text: 'echo (a+)+ [x] {1} \\ $' })])).success).toBe(true);
  });

  it('gives nothing while a condition is incomplete, and says what is missing', () => {
    expect(checkFromForm([])).toBeUndefined();
    expect(checkFromForm([...FORM_ROWS, emptyRow('image')])).toBeUndefined();
    expect(rowProblems(emptyRow('running'))).toEqual(["Give the container's name."]);
    expect(rowProblems(row({ kind: 'file', name: 'web', path: 'index.html' }))).toEqual([
      'Give the file\'s full path in the container, starting with "/".',
    ]);
    expect(rowProblems(row({ kind: 'ran', text: 'x'.repeat(151) }))[0]).toMatch(/too long/);
    for (const r of FORM_ROWS) expect(rowProblems(r), r.kind).toEqual([]);
  });

  it('fails with messages in words: no regular expression, what the teacher typed quoted as typed', async () => {
    const { failures } = await evaluateCheck(checkFromForm(FORM_ROWS)!, empty);
    expect(failures).toEqual([
      'There is no container named web.',
      'There is no container named db.',
      'There is no image called app:v1 yet.',
      'There is no container named web.',
      'No command containing "docker run -d --name web -p 8080:80 nginx" has run yet.',
    ]);
    const file = await evaluateCheck(checkFromForm([FORM_ROWS[3]!])!, webRunning);
    expect(file.failures).toEqual(['The file /usr/share/nginx/html/index.html in web does not contain "Hello from my page" yet.']);
    for (const f of [...failures, ...file.failures]) expect(f).not.toMatch(/[\\[\]()|*+?{}^$]/);
    const typed = await evaluateCheck(checkFromForm([row({ kind: 'ran', text: 'echo $HOME (x)' })])!, empty);
    expect(typed.failures).toEqual(['No command containing "echo $HOME (x)" has run yet.']);
  });
});
