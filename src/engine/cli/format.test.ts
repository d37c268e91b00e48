import { describe, expect, it } from 'vitest';
import {
  bytesSize,
  ellipsis,
  formatG,
  goQuote,
  goTimeString,
  humanDuration,
  humanSize,
  humanSize4,
  ramInBytes,
  rfc3339,
  tabwrite,
  timeAgo,
  truncateId,
} from './format.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatG (Go %g)', () => {
  it.each([
    [0, 3, '0'],
    [1, 3, '1'],
    [1.2345, 3, '1.23'],
    [4.26, 3, '4.26'],
    [100, 3, '100'],
    [999.999, 3, '1e+03'],
    [12.5, 2, '12'], // exact tie: round half to even
    [13.5, 2, '14'],
    [1.125, 3, '1.12'],
    [1.135, 3, '1.14'],
    [123456, 4, '1.235e+05'],
    [0.0001234, 3, '0.000123'],
    [0.00001234, 3, '1.23e-05'],
  ])('%d with precision %d is %s', (x, p, want) => {
    expect(formatG(x, p)).toBe(want);
  });
});

describe('humanSize (go-units HumanSizeWithPrecision, 3)', () => {
  it.each([
    [0, '0B'],
    [1, '1B'],
    [999, '999B'],
    [1000, '1kB'],
    [1240, '1.24kB'],
    [4_260_000, '4.26MB'],
    [4_264_999, '4.26MB'],
    [1_000_000_000, '1GB'],
    [999_999, '1e+03kB'],
    [7_340_032, '7.34MB'],
  ])('%d bytes → %s', (n, want) => {
    expect(humanSize(n)).toBe(want);
  });

  it('HumanSize keeps four digits and BytesSize uses binary units', () => {
    expect(humanSize4(1_234_567)).toBe('1.235MB');
    expect(humanSize4(2)).toBe('2B');
    expect(bytesSize(512 * 1024 * 1024)).toBe('512MiB');
    expect(bytesSize(8_232_000_000)).toBe('7.667GiB');
  });
});

describe('humanDuration (go-units)', () => {
  it.each([
    [450, 'Less than a second'],
    [1 * S, '1 second'],
    [45 * S, '45 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [3 * M, '3 minutes'],
    [35 * M + 40 * S, '35 minutes'],
    [59 * M, '59 minutes'],
    [1 * H, 'About an hour'],
    [1 * H + 29 * M, 'About an hour'],
    [1 * H + 31 * M, '2 hours'],
    [3 * H + 29 * M, '3 hours'],
    [3 * H + 31 * M, '4 hours'],
    [24 * H, '24 hours'],
    [36 * H, '36 hours'],
    [2 * D, '2 days'],
    [13 * D + 5 * H, '13 days'],
    [14 * D, '2 weeks'],
    [30 * D, '4 weeks'],
    [44 * D, '6 weeks'],
    [60 * D, '2 months'],
    [13 * 30 * D, '13 months'],
    [24 * 30 * D, '24 months'],
    [24 * 30 * D + 14 * D, '2 years'],
    [3 * 365 * D + 60 * D, '3 years'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('timeAgo truncates to seconds and appends "ago"', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(timeAgo('2024-05-01T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2024-05-01T11:59:59.9Z', now)).toBe('1 second ago');
    expect(timeAgo('', now)).toBe('');
    expect(timeAgo('0001-01-01T00:00:00Z', now)).toBe('');
  });

  it('formats times like Go', () => {
    expect(goTimeString('2024-05-01T10:00:00.123Z')).toBe('2024-05-01 10:00:00 +0000 UTC');
    expect(rfc3339('2024-05-01T10:00:00.123Z')).toBe('2024-05-01T10:00:00Z');
  });
});

describe('ramInBytes (go-units RAMInBytes)', () => {
  it.each([
    ['32', 32],
    ['32b', 32],
    ['512k', 512 * 1024],
    ['512K', 512 * 1024],
    ['16m', 16 * 1024 * 1024],
    ['16MB', 16 * 1024 * 1024],
    ['16MiB', 16 * 1024 * 1024],
    ['1g', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['1 g', 1024 ** 3],
  ])('%s → %d', (text, want) => {
    expect(ramInBytes(text)).toBe(want);
  });

  it.each([['abc'], ['-1'], ['12x'], ['']])('rejects %j', (text) => {
    expect(() => ramInBytes(text)).toThrow(`invalid size: '${text}'`);
  });
});

describe('ids, ellipsis and quoting', () => {
  it('truncates IDs to 12 hex without the algorithm', () => {
    expect(truncateId('sha256:' + 'ab'.repeat(32))).toBe('abababababab');
    expect(truncateId('0123456789abcdef')).toBe('0123456789ab');
    expect(truncateId('<missing>')).toBe('<missing>');
  });

  it('cuts with an ellipsis at the display width', () => {
    expect(ellipsis("sh -c 'echo hello world'", 20)).toBe("sh -c 'echo hello w…");
    expect(ellipsis('short', 20)).toBe('short');
    expect(ellipsis('12345678901234567890', 20)).toBe('12345678901234567890');
    expect(ellipsis('日本語のコマンド', 6)).toBe('日本…');
  });

  it('quotes like strconv.Quote', () => {
    expect(goQuote('sh -c "x"')).toBe('"sh -c \\"x\\""');
    expect(goQuote('a\tb\n')).toBe('"a\\tb\\n"');
    expect(goQuote('\x01')).toBe('"\\x01"');
    expect(goQuote('…')).toBe('"…"');
  });
});

describe('tabwrite (Go tabwriter, minwidth 10, padding 3)', () => {
  it('pads columns to the widest cell plus 3, at least 10, and leaves the last cell alone', () => {
    expect(tabwrite('CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox:latest\tweb\n')).toBe(
      'CONTAINER ID   IMAGE            NAMES\nabc            busybox:latest   web\n',
    );
  });

  it('treats empty cells as columns too', () => {
    expect(tabwrite('A\t\tB\n')).toBe('A                   B\n');
  });

  it('starts a new column block when a line has fewer cells', () => {
    expect(tabwrite('aaaaaaaaaaaaaaaa\tb\nx\n\nc\td\n')).toBe('aaaaaaaaaaaaaaaa   b\nx\n\nc         d\n');
  });
});
