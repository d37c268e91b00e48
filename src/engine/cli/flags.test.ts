import { describe, expect, it } from 'vitest';
import { FlagError, flagUsages, FORMAT_HELP, parseFlags, type FlagDef } from './flags.ts';

const RUNLIKE: FlagDef[] = [
  { name: 'detach', short: 'd', kind: 'bool', usage: 'Run container in background and print container ID' },
  { name: 'interactive', short: 'i', kind: 'bool', usage: 'Keep STDIN open even if not attached' },
  { name: 'tty', short: 't', kind: 'bool', usage: 'Allocate a pseudo-TTY' },
  { name: 'env', short: 'e', kind: 'list', usage: 'Set environment variables' },
  { name: 'name', kind: 'string', usage: 'Assign a name to the container' },
  { name: 'memory', short: 'm', kind: 'bytes', usage: 'Memory limit' },
  { name: 'pids-limit', kind: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'rm', kind: 'bool', usage: 'Automatically remove the container when it exits' },
  { name: 'filter', short: 'f', kind: 'filter', usage: 'Filter output based on conditions provided' },
  { name: 'publish', short: 'p', kind: 'list', usage: '', unsupported: '--publish is not supported by LayerLab: no network' },
];

describe('parseFlags', () => {
  it('parses short, long, combined and valued flags', () => {
    const f = parseFlags(
      ['-it', '--rm', '-e', 'A=1', '-eB=2', '-e=C=3', '--env', 'D=4', '--env=E=5', '--name', 'web', '-m', '16m', 'busybox'],
      RUNLIKE,
    );
    expect(f.bool('interactive')).toBe(true);
    expect(f.bool('tty')).toBe(true);
    expect(f.bool('rm')).toBe(true);
    expect(f.bool('detach')).toBe(false);
    expect(f.list('env')).toEqual(['A=1', 'B=2', 'C=3', 'D=4', 'E=5']);
    expect(f.string('name')).toBe('web');
    expect(f.int('memory', 0)).toBe(16 * 1024 * 1024);
    expect(f.args).toEqual(['busybox']);
  });

  it('stops at the first positional when not interspersed, and at --', () => {
    const f = parseFlags(['-d', 'busybox', 'ls', '-l', '--rm'], RUNLIKE, { interspersed: false });
    expect(f.args).toEqual(['busybox', 'ls', '-l', '--rm']);
    expect(f.bool('rm')).toBe(false);
    const g = parseFlags(['-d', '--', '-x', 'y'], RUNLIKE);
    expect(g.args).toEqual(['-x', 'y']);
    const h = parseFlags(['a', '-d', 'b'], RUNLIKE);
    expect(h.args).toEqual(['a', 'b']);
    expect(h.bool('detach')).toBe(true);
  });

  it('takes the next word as a value even when it starts with a dash', () => {
    expect(parseFlags(['--pids-limit', '-1'], RUNLIKE).int('pids-limit', 0)).toBe(-1);
    expect(parseFlags(['--rm=false'], RUNLIKE).bool('rm', true)).toBe(false);
    expect(parseFlags(['-d=true'], RUNLIKE).bool('detach')).toBe(true);
    expect(parseFlags(['-'], RUNLIKE).args).toEqual(['-']);
  });

  it('sees --help and an unclaimed -h', () => {
    expect(parseFlags(['--help'], RUNLIKE).help).toBe(true);
    expect(parseFlags(['-h'], RUNLIKE).help).toBe(true);
    expect(parseFlags(['-h', 'x'], [{ name: 'hostname', short: 'h', kind: 'string', usage: '' }]).string('hostname')).toBe('x');
  });

  it.each<[string[], string]>([
    [['--x'], 'unknown flag: --x'],
    [['-z'], "unknown shorthand flag: 'z' in -z"],
    [['-iz'], "unknown shorthand flag: 'z' in -z"],
    [['--name'], 'flag needs an argument: --name'],
    [['-e'], "flag needs an argument: 'e' in -e"],
    [['-de'], "flag needs an argument: 'e' in -e"],
    [['-m', 'lots'], 'invalid argument "lots" for "-m, --memory" flag: invalid size: \'lots\''],
    [['--pids-limit', 'x'], 'invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax'],
    [['--rm=maybe'], 'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['-f', 'dangling'], 'invalid argument "dangling" for "-f, --filter" flag: bad format of filter (expected name=value)'],
    [['-p', '80:80'], '--publish is not supported by LayerLab: no network'],
  ])('%j fails with %j', (argv, message) => {
    expect(() => parseFlags(argv, RUNLIKE)).toThrow(FlagError);
    expect(() => parseFlags(argv, RUNLIKE)).toThrow(message);
  });
});

describe('flagUsages (pflag FlagUsagesWrapped)', () => {
  it('lays out docker ps options exactly like docker ps --help at 80 columns', () => {
    const flags: FlagDef[] = [
      { name: 'quiet', short: 'q', kind: 'bool', usage: 'Only display container IDs' },
      { name: 'size', short: 's', kind: 'bool', usage: 'Display total file sizes' },
      { name: 'all', short: 'a', kind: 'bool', usage: 'Show all containers (default shows just running)' },
      { name: 'no-trunc', kind: 'bool', usage: "Don't truncate output" },
      { name: 'latest', short: 'l', kind: 'bool', usage: 'Show the latest created container (includes all states)' },
      { name: 'last', short: 'n', kind: 'int', usage: 'Show n last created containers (includes all states)', defValue: '-1' },
      { name: 'format', kind: 'string', usage: FORMAT_HELP },
      { name: 'filter', short: 'f', kind: 'filter', usage: 'Filter output based on conditions provided' },
    ];
    expect(flagUsages(flags, 79)).toBe(
      [
        '  -a, --all             Show all containers (default shows just running)',
        '  -f, --filter filter   Filter output based on conditions provided',
        '      --format string   Format output using a custom template:',
        "                        'table':            Print output in table format",
        '                        with column headers (default)',
        "                        'table TEMPLATE':   Print output in table format",
        '                        using the given Go template',
        "                        'json':             Print in JSON format",
        "                        'TEMPLATE':         Print output using the given",
        '                        Go template.',
        '                        Refer to https://docs.docker.com/go/formatting/',
        '                        for more information about formatting output with',
        '                        templates',
        '  -n, --last int        Show n last created containers (includes all',
        '                        states) (default -1)',
        '  -l, --latest          Show the latest created container (includes all',
        '                        states)',
        "      --no-trunc        Don't truncate output",
        '  -q, --quiet           Only display container IDs',
        '  -s, --size            Display total file sizes',
        '',
      ].join('\n'),
    );
  });

  it('quotes string defaults and hides hidden or unsupported flags', () => {
    const out = flagUsages(
      [
        { name: 'driver', short: 'd', kind: 'string', usage: 'Specify volume driver name', defValue: 'local' },
        { name: 'name', kind: 'string', usage: 'x', hidden: true },
        { name: 'opt', kind: 'map', usage: 'x', unsupported: 'no' },
      ],
      79,
    );
    expect(out).toBe('  -d, --driver string   Specify volume driver name (default "local")\n');
  });
});
