// Screenshots compared pixel by pixel (pixelmatch), and the pictures that show a difference to a person: the two
// sides and their diff, side by side.
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export interface PixelComparison {
  readonly width: number;
  readonly height: number;
  /** Pixels pixelmatch finds different (anti-aliasing left out, its default threshold 0.1). */
  readonly differing: number;
  /** differing / all pixels, 0…1. */
  readonly share: number;
  /** The diff picture: the first image faded, differing pixels red. */
  readonly diff: PNG;
}

/** Compares two PNG screenshots of the same size; throws when their sizes differ (a harness error, not a difference). */
export function comparePngs(first: Buffer, second: Buffer): PixelComparison {
  const a = PNG.sync.read(first);
  const b = PNG.sync.read(second);
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`screenshots of different sizes cannot be compared: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  }
  const diff = new PNG({ width: a.width, height: a.height });
  const differing = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  return { width: a.width, height: a.height, differing, share: differing / (a.width * a.height), diff };
}

/** Grey between panels, in pixels, so that where one slide ends is seen. */
const gap = 6;

/**
 * `panels` (PNGs of one size) left to right, each scaled down by `shrink` (2: a 1210×681 slide becomes 605×340,
 * averaging each 2×2 block, which keeps text legible and the file small enough for docs/images/).
 */
export function sideBySide(panels: readonly PNG[], shrink = 2): Buffer {
  const first = panels[0];
  if (!first) throw new Error('sideBySide: no panel');
  const width = Math.floor(first.width / shrink);
  const height = Math.floor(first.height / shrink);
  const out = new PNG({ width: panels.length * width + (panels.length - 1) * gap, height, colorType: 2 });
  out.data.fill(160);
  panels.forEach((panel, index) => {
    const left = index * (width + gap);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const target = (y * out.width + left + x) * 4;
        for (let channel = 0; channel < 3; channel++) {
          let sum = 0;
          for (let dy = 0; dy < shrink; dy++)
            for (let dx = 0; dx < shrink; dx++) sum += panel.data[((y * shrink + dy) * panel.width + x * shrink + dx) * 4 + channel] ?? 0;
          out.data[target + channel] = Math.round(sum / (shrink * shrink));
        }
        out.data[target + 3] = 255;
      }
    }
  });
  // colorType 2: RGB without alpha, a quarter smaller before compression.
  return PNG.sync.write(out, { colorType: 2 });
}
