// The step runner: executes a build's typed steps (src/platforms/steps.ts makes the list) in order,
// in one ExecEnv, with the progress and log-file conventions of every command. It is the only
// place the factory's commands run: a command step runs exactly its argv; an in-process step runs
// its handler (whose own commands, if any, are logged inside the step's section).
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, delimiter } from "node:path";
import { ninjaPercent, type Progress } from "../progress.js";
import { CheckFailedError, InternalError } from "../errors.js";
import type { BuildStep } from "../schema/build-step.js";
import { CommandFailedError, type ExecEnv, type RunResult } from "./env.js";

type CommandStep = Extract<BuildStep, { kind: "command" }>;
export type InProcessStep = Extract<BuildStep, { kind: "in-process" }>;

/** What an in-process step does, by name; it may read earlier steps' results. */
export type StepHandler = (step: InProcessStep, ctx: StepContext) => Promise<void>;

interface StepContext {
  env: ExecEnv;
  progress: Progress;
  /** Results of the command steps that ran so far, by step id. */
  results: Map<string, RunResult>;
}

type StepStatus = "ran" | "up to date" | "skipped";

export interface StepRecord {
  id: string;
  status: StepStatus;
  seconds: number;
  reason?: string;
}

interface RunStepsOptions {
  env: ExecEnv;
  progress: Progress;
  handlers: Record<string, StepHandler>;
  /** Asked before each step: a reason to skip it (e.g. a reused wheel), or undefined to run it. */
  skip?: (step: BuildStep) => string | undefined;
}

/** The section header a step writes into the log before its command (the tests parse it). */
const stepHeader = (i: number, n: number, step: BuildStep): string => `== step ${i}/${n} ${step.id} [${step.phase}]`;

const upToDate = (step: BuildStep): boolean => {
  const u = step.upToDate;
  return !!u && existsSync(u.stamp) && readFileSync(u.stamp, "utf8") === u.key;
};

/** Runs `steps` in order; returns one record per step (ran / up to date / skipped) and the command results. */
export async function runSteps(
  steps: readonly BuildStep[],
  o: RunStepsOptions,
): Promise<{ records: StepRecord[]; results: Map<string, RunResult> }> {
  const results = new Map<string, RunResult>();
  const records: StepRecord[] = [];
  // The log's folder is made when the steps start (HostEnv makes it on its first command only).
  if (steps.length) mkdirSync(dirname(o.env.logFile), { recursive: true });
  const log = (line: string): void => appendFileSync(o.env.logFile, `${line}\n`);
  let phase = "";
  for (const [i, step] of steps.entries()) {
    const head = stepHeader(i + 1, steps.length, step);
    if (step.phase !== phase) {
      phase = step.phase;
      o.progress.stage(phase);
    }
    const label = `${i + 1}/${steps.length} ${step.id}`;
    const reason = o.skip?.(step) ?? (upToDate(step) ? "up to date" : undefined);
    if (reason) {
      log(`\n${head}: ${reason}`);
      records.push({ id: step.id, status: reason === "up to date" ? "up to date" : "skipped", seconds: 0, reason });
      continue;
    }
    log(`\n${head}: ${step.why}`);
    o.progress.step(label);
    const t = Date.now();
    for (const d of step.cleans) rmSync(d, { recursive: true, force: true });
    try {
      if (step.kind === "command") {
        results.set(step.id, await runCommand(step, o, label));
      } else {
        const handler = o.handlers[step.name];
        if (!handler) throw new InternalError(`step ${step.id}: no handler for the in-process step '${step.name}'`);
        await handler(step, { env: o.env, progress: o.progress, results });
      }
    } catch (e) {
      // The failing tool's error line names the build step it ran in (src/exec/tool-failure.ts).
      if (e instanceof CommandFailedError) e.step ??= step.id;
      throw e;
    }
    if (step.upToDate?.record) {
      mkdirSync(dirname(step.upToDate.stamp), { recursive: true });
      writeFileSync(step.upToDate.stamp, step.upToDate.key);
    }
    records.push({ id: step.id, status: "ran", seconds: Math.round((Date.now() - t) / 100) / 10 });
  }
  return { records, results };
}

async function runCommand(step: CommandStep, o: RunStepsOptions, label: string): Promise<RunResult> {
  const PATH = [...step.pathPrepend, process.env["PATH"] ?? ""].join(delimiter);
  const env = { ...step.env, ...(step.pathPrepend.length ? { PATH } : {}) };
  try {
    return await o.env.run(step.argv, {
      ...(step.cwd ? { cwd: step.cwd } : {}),
      ...(Object.keys(env).length ? { env } : {}),
      capture: step.capture,
      // Ninja's [n/m] status becomes the step's percent.
      onLine: (l) => {
        const p = ninjaPercent(l);
        if (p !== undefined) o.progress.step(label, p);
      },
    });
  } catch (e) {
    if (step.mayFail && e instanceof CommandFailedError) return { stdout: e.tail, exitCode: e.exitCode };
    // pip --require-hashes refusing a download: the requirements file (or the index) is not what was pinned.
    if (e instanceof CommandFailedError && step.argv.includes("--require-hashes") && /DO NOT MATCH THE HASHES|hash/i.test(e.tail)) {
      const file = step.argv[step.argv.indexOf("-r") + 1] ?? "the requirements file";
      throw new CheckFailedError(
        `${file}: pip --require-hashes refused a package whose sha256 is not the pinned one (step ${step.id}, log ${e.logFile}); restore the file or regenerate it with containers/provision/compile-requirements.sh`,
      );
    }
    throw e;
  }
}

/** The commands a build log recorded, per step section: what the dry-run-vs-log test compares. */
export function parseStepLog(text: string): { id: string; status: string; commands: string[] }[] {
  const out: { id: string; status: string; commands: string[] }[] = [];
  const orphan: string[] = [];
  for (const line of text.split("\n")) {
    const h = /^== step \d+\/\d+ (\S+) \[\w+\]: (.*)$/.exec(line);
    if (h?.[1]) {
      out.push({ id: h[1], status: h[2] === "up to date" || /^skipped/.test(h[2] ?? "") ? h[2]! : "ran", commands: [] });
      continue;
    }
    if (line.startsWith("$ ")) (out.at(-1)?.commands ?? orphan).push(line.slice(2).replace(/^\(cd \S+\) /, ""));
  }
  if (orphan.length) throw new InternalError(`commands outside any step in the log: ${orphan.join(" | ")}`);
  return out;
}
