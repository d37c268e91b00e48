import { describe, expect, it } from 'vitest';
import { dedent, imageTag, orderFiles, parseSources, plannedLayers } from './content.ts';

describe('widget content', () => {
  it('dedents a Dockerfile written inside indented HTML', () => {
    const html = '\n      FROM busybox\n      RUN echo hi \\\n        && echo there\n\n      CMD ["sh"]\n    ';
    expect(dedent(html)).toBe('FROM busybox\nRUN echo hi \\\n  && echo there\n\nCMD ["sh"]\n');
    expect(dedent('  \n \n')).toBe('');
  });

  it('keeps a tag that is a plain reference and falls back otherwise', () => {
    expect(imageTag('hello')).toBe('hello');
    expect(imageTag('docs/app:v1.2')).toBe('docs/app:v1.2');
    expect(imageTag(null)).toBe('widget');
    expect(imageTag('Bad Tag; rm -rf /')).toBe('widget');
    expect(imageTag('x:"y"')).toBe('widget');
  });

  it('reads dockerfile-src and files="NAME=URL,…" against the page', () => {
    expect(
      parseSources('ex/Dockerfile', 'app.py=ex/app.py, requirements.txt = /r.txt,../x=/x,nonsense', 'https://docs.example/guide/'),
    ).toEqual([
      { name: 'Dockerfile', url: 'https://docs.example/guide/ex/Dockerfile' },
      { name: 'app.py', url: 'https://docs.example/guide/ex/app.py' },
      { name: 'requirements.txt', url: 'https://docs.example/r.txt' },
    ]);
    expect(parseSources(null, null, 'https://docs.example/')).toEqual([]);
  });

  it('puts the Dockerfile first and lets a later file of the same name win', () => {
    expect(
      orderFiles([
        { name: 'app.py', text: '1' },
        { name: 'Dockerfile', text: 'a' },
        { name: 'app.py', text: '2' },
      ]).map((f) => `${f.name}=${f.text}`),
    ).toEqual(['Dockerfile=a', 'app.py=2']);
  });

  it('lists the steps that will make layers', () => {
    expect(
      plannedLayers(
        '# base\nFROM python:3.11-slim AS app\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install \\\n  -r requirements.txt\nENV A=b\ncmd ["python"]\nadd x /x\n',
      ),
    ).toEqual([
      { keyword: 'FROM', text: 'python:3.11-slim AS app' },
      { keyword: 'COPY', text: 'requirements.txt .' },
      { keyword: 'RUN', text: 'pip install -r requirements.txt' },
      { keyword: 'ADD', text: 'x /x' },
    ]);
  });
});
