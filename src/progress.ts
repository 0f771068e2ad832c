// Progress of long work: stage, step, percent and elapsed time on one line per change,
// written to stderr; full command output goes to the environment's log file.

export interface Progress {
  stage(name: string): void;
  step(name: string, percent?: number): void;
  info(message: string): void;
}

const fmt = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};

export class ConsoleProgress implements Progress {
  private readonly start = Date.now();
  private stageName = "";
  private lastLine = "";
  private lastAt = 0;
  constructor(private readonly out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
    position = { stage: "", step: "" };
  }

  stage(name: string): void {
    this.stageName = name;
    position = { stage: name, step: "" };
    this.emit(`[${fmt(Date.now() - this.start)}] ${name}`);
  }

  step(name: string, percent?: number): void {
    position = { stage: this.stageName, step: name };
    const pct = percent === undefined ? "" : ` ${String(Math.round(percent)).padStart(3)}%`;
    const line = `[${fmt(Date.now() - this.start)}] ${this.stageName} › ${name}${pct}`;
    // Throttle percent updates so a ninja build does not print 2,000 lines.
    if (percent !== undefined && percent < 100 && Date.now() - this.lastAt < 2000) return;
    this.emit(line);
  }

  info(message: string): void {
    this.emit(`[${fmt(Date.now() - this.start)}] ${message}`);
  }

  private emit(line: string): void {
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.lastAt = Date.now();
    this.out(line);
  }
}

/** Where this process's newest console progress is: the stage and step a tool failure's one error
 * line names (src/exec/tool-failure.ts). Module state because the error reaches the CLI's handler
 * far from the progress object; each ConsoleProgress (one per command run) starts it afresh. */
export interface ProgressPosition {
  stage: string;
  step: string;
}
let position: ProgressPosition = { stage: "", step: "" };
export const currentPosition = (): Readonly<ProgressPosition> => position;

/** Prints nothing, but keeps the position (an error line still names where the run was). */
export const silentProgress: Progress = {
  stage(name) {
    position = { stage: name, step: "" };
  },
  step(name) {
    position = { stage: position.stage, step: name };
  },
  info() {},
};

/** Ninja's "[n/m]" status → percent, or undefined. */
export function ninjaPercent(line: string): number | undefined {
  const m = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (!m) return undefined;
  const done = Number(m[1]);
  const total = Number(m[2]);
  return total > 0 ? (100 * done) / total : undefined;
}
