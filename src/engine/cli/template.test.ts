import { describe, expect, it } from 'vitest';
import { goPrint, renderTemplate, TemplateError } from './template.ts';

const data = {
  Id: 'abc',
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Pid: 42 },
  Config: { Env: ['PATH=/bin', 'A=1'], Labels: { tier: 'web', app: 'demo' }, Cmd: null, Tty: false },
  Mounts: [
    { Name: 'data', Destination: '/data' },
    { Name: 'logs', Destination: '/logs' },
  ],
  Note: 'a <b> & c',
};

describe('renderTemplate', () => {
  it.each<[string, string]>([
    ['{{.State.Status}}', 'running'],
    ['{{.State.Pid}}', '42'],
    ['{{.State.Running}}', 'true'],
    ['{{.Config.Env}}', '[PATH=/bin A=1]'],
    ['{{.Config.Labels}}', 'map[app:demo tier:web]'],
    ['{{.Config.Cmd}}', '<nil>'],
    ['{{.Nope}}', '<no value>'],
    ['{{json .State}}', '{"Status":"running","Running":true,"ExitCode":0,"Pid":42}'],
    ['{{json .Note}}', '"a <b> & c"'],
    ['{{json .Config.Cmd}}', 'null'],
    ['{{.Name | upper}}', '/WEB'],
    ['{{upper .Name}}', '/WEB'],
    ['{{lower "ABC"}}', 'abc'],
    ['{{title "hello world"}}', 'Hello World'],
    ['{{join .Config.Env ","}}', 'PATH=/bin,A=1'],
    ['{{index .Config.Labels "tier"}}', 'web'],
    ['{{index .Mounts 1}}', 'map[Destination:/logs Name:logs]'],
    ['{{(index .Mounts 1).Name}}', 'logs'],
    ['{{len .Mounts}}', '2'],
    ['{{range .Mounts}}{{.Name}}:{{.Destination}} {{end}}', 'data:/data logs:/logs '],
    ['{{range $i, $m := .Mounts}}{{$i}}={{$m.Name}};{{end}}', '0=data;1=logs;'],
    ['{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}', 'app=demo tier=web '],
    ['{{range .Nothing}}x{{else}}empty{{end}}', 'empty'],
    ['{{if .State.Running}}up{{else}}down{{end}}', 'up'],
    ['{{if .Config.Tty}}tty{{else if .State.Running}}running{{else}}other{{end}}', 'running'],
    ['{{if eq .State.Status "exited"}}x{{else if eq .State.Status "running"}}r{{end}}!', 'r!'],
    ['{{with .State}}{{.Status}}{{end}}', 'running'],
    ['{{$s := .State.Status}}[{{$s}}]', '[running]'],
    ['{{printf "%s has %d" .Name .State.Pid}}', '/web has 42'],
    ['{{println .Id}}', 'abc\n'],
    ['a  {{- .Id -}}  b', 'aabcb'],
    ['{{/* comment */}}x', 'x'],
    ['{{split "a,b" ","}}', '[a b]'],
    ['{{pad .Id 1 2}}|', ' abc  |'],
    ['{{truncate .Name 2}}', '/w'],
    ['{{not .State.Running}} {{and 1 0}} {{or 0 "x"}} {{ne 1 2}}', 'false 0 x true'],
    ['{{$.Id}}', 'abc'],
    ['{{.}}', goPrint(data)],
  ])('%s', (tmpl, want) => {
    expect(renderTemplate(tmpl, data)).toBe(want);
  });

  it('reports unknown fields of typed contexts like Go', () => {
    expect(() => renderTemplate('{{.Nope}}', { ID: 'x' }, { strictType: '*formatter.ContainerContext' })).toThrow(
      'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
    );
  });

  it('renders headers through the header map and passes functions through', () => {
    const header = { ID: 'CONTAINER ID', Names: 'NAMES' };
    expect(renderTemplate('{{.ID}}\t{{upper .Names}}\t{{json .ID}}', {}, { header })).toBe('CONTAINER ID\tNAMES\tCONTAINER ID');
  });

  it.each(['{{.Id', '{{if .Id}}x', '{{end}}', '{{nosuch .Id}}', '{{"abc}}', '{{.Id | }}'])('rejects %s', (tmpl) => {
    expect(() => renderTemplate(tmpl, data)).toThrow(TemplateError);
  });
});
