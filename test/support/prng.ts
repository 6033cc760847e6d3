// A small seeded PRNG for fuzz-style tests: the same seed gives the same inputs, so a failure found once can be
// replayed (the test prints its seed; FUZZ_SEED replays it). mulberry32: tiny, fast, good enough to pick test
// inputs (not for anything secret).

export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, below). */
  int(below: number): number;
  /** An integer in [min, max], both included. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(choices: readonly T[]): T;
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T;
  bytes(length: number): Buffer;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick: (choices) => choices[int(choices.length)]!,
    weighted(choices) {
      const total = choices.reduce((sum, [weight]) => sum + weight, 0);
      let at = next() * total;
      for (const [weight, value] of choices) {
        if ((at -= weight) < 0) return value;
      }
      return choices[choices.length - 1]![1];
    },
    bytes(length) {
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i++) out[i] = int(256);
      return out;
    },
  };
}

/**
 * An independent seed for item `index` of a run seeded with `seed` (splitmix32-style mixing): each fuzz case draws
 * from its own generator, so case N is the same whatever order concurrent workers ran the others in.
 */
export function deriveSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed a fuzz run uses: `FUZZ_SEED` when given (a replay), else a fresh random one. */
export function fuzzSeed(fromEnvironment: string | undefined): number {
  if (fromEnvironment !== undefined && fromEnvironment !== '') {
    const seed = Number(fromEnvironment);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`FUZZ_SEED must be an integer 0-4294967295, not '${fromEnvironment}'`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
