/** IDs and names as Docker makes them. */

/** `n` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const LEFT = [
  'admiring',
  'brave',
  'clever',
  'dreamy',
  'eager',
  'focused',
  'gallant',
  'happy',
  'jolly',
  'keen',
  'laughing',
  'modest',
  'nifty',
  'optimistic',
  'peaceful',
  'quirky',
  'relaxed',
  'sharp',
  'trusting',
  'upbeat',
  'vibrant',
  'wonderful',
  'youthful',
  'zealous',
];
const RIGHT = [
  'babbage',
  'curie',
  'darwin',
  'einstein',
  'faraday',
  'galileo',
  'hopper',
  'johnson',
  'kepler',
  'lovelace',
  'meitner',
  'newton',
  'noether',
  'pasteur',
  'ritchie',
  'shannon',
  'thompson',
  'turing',
  'wozniak',
  'yonath',
];

/** A random `adjective_scientist` name like Docker's name generator. */
export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const pick = (a: string[]) => a[Math.floor(Math.random() * a.length)]!;
    const name = `${pick(LEFT)}_${pick(RIGHT)}${i > 20 ? Math.floor(Math.random() * 10) : ''}`;
    if (!taken(name)) return name;
  }
}

/** Docker's rule for container and volume names. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
