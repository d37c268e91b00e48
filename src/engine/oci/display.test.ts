import { describe, expect, it } from 'vitest';
import {
  BUILDKIT_HISTORY_COMMENT,
  buildkitHistory,
  displayCreatedBy,
  formatCreatedBy,
  formatGoG,
  goDuration,
  goQuote,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  shellForm,
  stepCreatesLayer,
  timeAgo,
} from './display.ts';
import type { BuildStep } from './display.ts';

describe('humanSize (docker images SIZE: go-units HumanSizeWithPrecision(size, 3))', () => {
  it.each([
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1240, '1.24kB'],
    [1245, '1.25kB'], // 1.245 is a hair above 1.245 in binary
    [1125, '1.12kB'], // exactly 1.125: Go rounds half to even
    [998_500, '998kB'], // exactly 998.5: half to even again
    [999_500, '1e+03kB'], // rounds up to 1000, which %.3g prints in e-notation
    [999_999, '1e+03kB'],
    [4_260_000, '4.26MB'],
    [4_264_999, '4.26MB'],
    [7_800_000, '7.8MB'],
    [77_800_000, '77.8MB'],
    [187_000_000, '187MB'],
    [1_000_000_000, '1GB'],
    [5_600_000_000, '5.6GB'],
  ])('%d bytes → %s', (bytes, expected) => {
    expect(humanSize(bytes)).toBe(expected);
  });

  it('matches go-units TestHumanSize (precision 4)', () => {
    const cases: [number, string][] = [
      [1000, '1kB'],
      [1024, '1.024kB'],
      [1_000_000, '1MB'],
      [1_048_576, '1.049MB'],
      [2_000_000, '2MB'],
      [3_420_000_000, '3.42GB'],
      [5_372_000_000_000, '5.372TB'],
      [2_220_000_000_000_000, '2.22PB'],
      [10_000_000_000_000 * 1e15, '1e+04YB'],
    ];
    for (const [size, expected] of cases) expect(humanSizeWithPrecision(size, 4)).toBe(expected);
  });

  it('formatGoG prints like Go %.Ng', () => {
    expect(formatGoG(0.0001234, 3)).toBe('0.000123');
    expect(formatGoG(0.00001234, 3)).toBe('1.23e-05');
    expect(formatGoG(123456, 3)).toBe('1.23e+05');
    expect(formatGoG(100, 3)).toBe('100');
    expect(formatGoG(12, 3)).toBe('12');
    expect(formatGoG(-1.5, 3)).toBe('-1.5');
    expect(formatGoG(0.1 + 0.2, 17)).toBe('0.30000000000000004');
    expect(formatGoG(1e21, 3)).toBe('1e+21');
    expect(formatGoG(Number.POSITIVE_INFINITY, 3)).toBe('+Inf');
  });
});

describe('humanDuration / timeAgo (go-units HumanDuration + " ago")', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const day = 24 * h;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;

  it('matches go-units TestHumanDuration', () => {
    const cases: [number, string][] = [
      [450, 'Less than a second'],
      [1 * s, '1 second'],
      [45 * s, '45 seconds'],
      [46 * s, '46 seconds'],
      [59 * s, '59 seconds'],
      [60 * s, 'About a minute'],
      [1 * m, 'About a minute'],
      [3 * m, '3 minutes'],
      [35 * m, '35 minutes'],
      [35 * m + 40 * s, '35 minutes'],
      [45 * m, '45 minutes'],
      [45 * m + 40 * s, '45 minutes'],
      [46 * m, '46 minutes'],
      [59 * m, '59 minutes'],
      [1 * h, 'About an hour'],
      [1 * h + 29 * m, 'About an hour'],
      [1 * h + 31 * m, '2 hours'],
      [1 * h + 59 * m, '2 hours'],
      [3 * h, '3 hours'],
      [3 * h + 29 * m, '3 hours'],
      [3 * h + 31 * m, '4 hours'],
      [3 * h + 59 * m, '4 hours'],
      [3 * h + 60 * m, '4 hours'],
      [24 * h, '24 hours'],
      [1 * day + 12 * h, '36 hours'],
      [2 * day, '2 days'],
      [7 * day, '7 days'],
      [13 * day + 5 * h, '13 days'],
      [2 * week, '2 weeks'],
      [2 * week + 4 * day, '2 weeks'],
      [3 * week, '3 weeks'],
      [4 * week, '4 weeks'],
      [4 * week + 3 * day, '4 weeks'],
      [1 * month, '4 weeks'],
      [1 * month + 2 * week, '6 weeks'],
      [2 * month, '2 months'],
      [2 * month + 2 * week, '2 months'],
      [3 * month, '3 months'],
      [3 * month + 1 * week, '3 months'],
      [5 * month + 2 * week, '5 months'],
      [13 * month, '13 months'],
      [23 * month, '23 months'],
      [24 * month, '24 months'],
      [24 * month + 2 * week, '2 years'],
      [3 * year + 2 * month, '3 years'],
    ];
    for (const [ms, expected] of cases) expect(humanDuration(ms), `${ms}ms`).toBe(expected);
  });

  it('says "… ago" like docker images CREATED', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    expect(timeAgo(new Date('2024-06-01T10:00:00Z'), now)).toBe('2 hours ago');
    expect(timeAgo('2024-06-01T11:58:30Z', now)).toBe('About a minute ago');
    expect(timeAgo('2024-06-01T11:59:59.999Z', now)).toBe('1 second ago'); // created is cut to whole seconds
    expect(timeAgo('2024-06-01T12:00:00Z', now)).toBe('Less than a second ago');
    expect(timeAgo('2024-05-18T12:00:00Z', now)).toBe('2 weeks ago');
    expect(timeAgo(undefined, now)).toBe('N/A');
    expect(timeAgo('garbage', now)).toBe('N/A');
  });
});

describe('goDuration (Go time.Duration.String)', () => {
  it.each([
    [0, '0s'],
    [1, '1ns'],
    [1500, '1.5µs'],
    [1_500_000, '1.5ms'],
    [1e9, '1s'],
    [1.5e9, '1.5s'],
    [30e9, '30s'],
    [60e9, '1m0s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [3723.25e9, '1h2m3.25s'],
    [-2e9, '-2s'],
  ])('%d ns → %s', (ns, expected) => {
    expect(goDuration(ns)).toBe(expected);
  });
});

describe('formatCreatedBy (BuildKit history style)', () => {
  const cases: [BuildStep, string][] = [
    [{ instruction: 'RUN', args: shellForm('apk add --no-cache curl') }, 'RUN /bin/sh -c apk add --no-cache curl # buildkit'],
    [{ instruction: 'RUN', args: ['echo', 'hi'] }, 'RUN echo hi # buildkit'],
    [
      {
        instruction: 'RUN',
        args: shellForm('make'),
        buildArgs: [
          ['VERSION', '1.0'],
          ['X', 'a'],
          ['VERSION', '2.0'],
        ],
      },
      'RUN |2 VERSION=2.0 X=a /bin/sh -c make # buildkit',
    ],
    [{ instruction: 'COPY', sources: ['app.py', 'requirements.txt'], dest: '/app/' }, 'COPY app.py requirements.txt /app/ # buildkit'],
    [{ instruction: 'ADD', sources: ['rootfs.tar.gz'], dest: '/' }, 'ADD rootfs.tar.gz / # buildkit'],
    [{ instruction: 'CMD', args: ['sh'] }, 'CMD ["sh"]'],
    [{ instruction: 'CMD', args: ['nginx', '-g', 'daemon off;'] }, 'CMD ["nginx" "-g" "daemon off;"]'],
    [{ instruction: 'CMD', args: shellForm('python app.py') }, 'CMD ["/bin/sh" "-c" "python app.py"]'],
    [{ instruction: 'ENTRYPOINT', args: ['/docker-entrypoint.sh'] }, 'ENTRYPOINT ["/docker-entrypoint.sh"]'],
    [{ instruction: 'ENV', pairs: [['NGINX_VERSION', '1.25.3']] }, 'ENV NGINX_VERSION=1.25.3'],
    [
      {
        instruction: 'ENV',
        pairs: [
          ['A', '1'],
          ['B', 'two words'],
        ],
      },
      'ENV A=1 B=two words',
    ],
    [
      { instruction: 'LABEL', pairs: [['maintainer', 'NGINX Docker Maintainers <docker-maint@nginx.com>']] },
      'LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>',
    ],
    [{ instruction: 'ARG', args: [['VERSION', '1'], ['TARGETARCH']] }, 'ARG VERSION=1 TARGETARCH'],
    [{ instruction: 'EXPOSE', ports: ['80', '443/TCP', '53/udp'] }, 'EXPOSE [80/tcp 443/tcp 53/udp]'],
    [{ instruction: 'VOLUME', paths: ['/data', '/logs'] }, 'VOLUME [/data /logs]'],
    [{ instruction: 'SHELL', args: ['/bin/bash', '-c'] }, 'SHELL [/bin/bash -c]'],
    [{ instruction: 'WORKDIR', value: '/app' }, 'WORKDIR /app'],
    [{ instruction: 'USER', value: 'nginx' }, 'USER nginx'],
    [{ instruction: 'STOPSIGNAL', value: 'SIGQUIT' }, 'STOPSIGNAL SIGQUIT'],
    [{ instruction: 'MAINTAINER', value: 'me' }, 'MAINTAINER me'],
    [
      {
        instruction: 'HEALTHCHECK',
        healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], Interval: 30e9, Timeout: 3e9, Retries: 3 },
      },
      'HEALTHCHECK {Test:[CMD-SHELL curl -f http://localhost/ || exit 1] Interval:30s Timeout:3s StartPeriod:0s StartInterval:0s Retries:3}',
    ],
    [
      { instruction: 'HEALTHCHECK', healthcheck: { Test: ['NONE'] } },
      'HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}',
    ],
  ];
  it.each(cases)('%j', (step, expected) => {
    expect(formatCreatedBy(step)).toBe(expected);
  });

  it('marks which steps add a layer, as BuildKit does', () => {
    expect(stepCreatesLayer({ instruction: 'RUN', args: ['true'] })).toBe(true);
    expect(stepCreatesLayer({ instruction: 'COPY', sources: ['a'], dest: '/' })).toBe(true);
    expect(stepCreatesLayer({ instruction: 'WORKDIR', value: '/app' })).toBe(true);
    expect(stepCreatesLayer({ instruction: 'WORKDIR', value: '/' })).toBe(false);
    expect(stepCreatesLayer({ instruction: 'ENV', pairs: [['A', 'b']] })).toBe(false);
    expect(buildkitHistory({ instruction: 'CMD', args: ['sh'] }, '2024-01-01T00:00:00Z')).toEqual({
      created: '2024-01-01T00:00:00Z',
      created_by: 'CMD ["sh"]',
      comment: BUILDKIT_HISTORY_COMMENT,
      empty_layer: true,
    });
    expect(buildkitHistory({ instruction: 'RUN', args: ['true'] })).toEqual({
      created: undefined,
      created_by: 'RUN true # buildkit',
      comment: 'buildkit.dockerfile.v0',
    });
  });

  it('goQuote escapes like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\t\x01\x7fé😀\u00ad\u2028')).toBe('"a\\"b\\\\c\\n\\t\\x01\\x7fé😀\\u00ad\\u2028"');
    expect(goQuote('')).toBe('""');
  });

  it('displayCreatedBy truncates to 45 like docker history', () => {
    const long = 'RUN /bin/sh -c apk add --no-cache curl ca-certificates # buildkit';
    expect(displayCreatedBy(long)).toBe('RUN /bin/sh -c apk add --no-cache curl ca-ce…');
    expect([...displayCreatedBy(long)]).toHaveLength(45);
    expect(displayCreatedBy(long, false)).toBe(long);
    expect(displayCreatedBy('a\tb')).toBe('a b');
    expect(displayCreatedBy('x'.repeat(45))).toBe('x'.repeat(45));
  });
});
