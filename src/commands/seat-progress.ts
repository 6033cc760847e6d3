// `labdeck env warm N`'s progress: on a terminal, one bar redrawn in place; otherwise (a log, CI) a plain line each
// time the counts change, so that a log file holds no carriage returns or escape sequences.
import type { SeatCounts } from '../environments/warm-pool.ts';

const barWidth = 30;

/** `[██████░░░░…] 2/5 ready · 3 warming`: the pool as a bar of `target` seats. Pure. */
export function seatBar(counts: SeatCounts): string {
  const ready = Math.min(counts.ready, counts.target);
  const filled = counts.target === 0 ? barWidth : Math.round((ready / counts.target) * barWidth);
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${ready}/${counts.target} ready · ${counts.warming} warming`;
}

/** The plain-line form, for output that is not a terminal. Pure. */
export function seatLine(counts: SeatCounts): string {
  return `warm seats: ${Math.min(counts.ready, counts.target)}/${counts.target} ready, ${counts.warming} warming\n`;
}

export interface SeatProgress {
  update(counts: SeatCounts): void;
  /** A line of its own, above the bar. */
  log(line: string): void;
  /** Ends the bar's line (the next output starts on a line of its own). */
  done(): void;
}

export function seatProgress(write: (text: string) => void, terminal: boolean): SeatProgress {
  let shown = '';
  return {
    update(counts) {
      const text = terminal ? seatBar(counts) : seatLine(counts);
      if (text === shown) return;
      shown = text;
      // \r and "erase to the end of the line": the bar is redrawn over itself.
      write(terminal ? `\r${text}\x1b[K` : text);
    },
    log(line) {
      write(terminal && shown ? `\r\x1b[K${line}\n${shown}` : `${line}\n`);
    },
    done() {
      if (terminal && shown) write('\n');
    },
  };
}
