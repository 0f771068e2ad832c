// A failing external tool as one error line (exit status 3, a check failed: README "Exit status"):
// the step it ran in, the tool, how it ended, and the log holding its full output. The full
// command and its last 40 lines stay in the log and in the error's cause (--debug).
import { constants } from "node:os";
import type { CommandFailedError } from "./env.js";
import type { ProgressPosition } from "../progress.js";

/** Programs that run a script named by their first operand: the script is the tool a user knows. */
const INTERPRETER = /^(?:(?:ba|da|k|z)?sh|python(?:\d+(?:\.\d+)?t?)?|node|perl|ruby|pwsh|powershell|tsx)$/i;
/** Interpreter options that take a value (bash -o pipefail x.sh). */
const TAKES_VALUE = new Set(["-o", "-O", "--rcfile", "--init-file", "-W", "-X", "--import", "--require", "-r"]);

const baseName = (p: string): string => (p.split(/[\\/]/).pop() ?? p).replace(/\.exe$/i, "");

/** The tool as a user names it: argv[0]'s base name, with the script for `bash x.sh`, `python -m pip`, `bash -c`. */
export function toolName(argv: readonly string[]): string {
  const tool = baseName(argv[0] ?? "?");
  if (!INTERPRETER.test(tool)) return tool;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-c" || a === "-e") return `${tool} ${a}`;
    if (a === "-m" && argv[i + 1]) return `${tool} -m ${argv[i + 1]}`;
    if (TAKES_VALUE.has(a)) i++;
    else if (!a.startsWith("-")) return `${tool} ${baseName(a)}`;
  }
  return tool;
}

/** The signal whose number is n (SIGPIPE for 13), if any. */
function signalName(n: number): string | undefined {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
}

/** How the command ended, in words: status, and the signal behind a 128 + n status or a kill. */
export function endedWith(status: number, signal?: string): string {
  if (signal) return `was killed by ${signal} (status ${status})`;
  if (status === 127) return "exited with status 127 (command not found)";
  if (status === 126) return "exited with status 126 (not executable)";
  const sig = status > 128 && status < 128 + 65 ? signalName(status - 128) : undefined;
  return `exited with status ${status}${sig ? ` (128 + ${sig}: a process was killed by ${sig})` : ""}`;
}

/** The last non-empty output line, printable and short (it goes on the one error line). */
function lastOutputLine(tail: string, max = 160): string | undefined {
  const line = tail
    .split("\n")
    .map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/[\x00-\x1f\x7f]/g, " ").trim())
    .filter(Boolean)
    .pop();
  if (!line) return undefined;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One line: `step <where>: <tool> exited with status N (…); full output in <log>; last line: …`. */
export function toolFailureLine(e: CommandFailedError, where: Readonly<ProgressPosition>): string {
  const at = [where.stage, where.step].filter(Boolean).join(" › ");
  const step = e.step && !at.includes(e.step) ? `step ${e.step}${at ? ` (${at})` : ""}` : at ? `step ${at}` : "";
  const last = lastOutputLine(e.tail);
  return `${step ? `${step}: ` : ""}${toolName(e.argv)} ${endedWith(e.exitCode, e.signal)}; full output in ${e.logFile}${last ? `; last line: ${last}` : ""}`;
}
