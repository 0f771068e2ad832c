// A platform plan as `build --dry-run` prints it: the platform's facts, each wheel, then every step.
import { shellLine } from "../exec/env.js";
import type { BuildStep } from "../schema.js";
import type { PlatformPlan } from "./resolve.js";

/** One step as the dry run prints it: the command (or the in-process step's name), then why. */
export function formatStep(i: number, n: number, st: BuildStep): string {
  const head = `   ${String(i).padStart(2)}/${n} ${st.id} [${st.phase}]`;
  const extra: string[] = [];
  if (st.cleans.length) extra.push(`cleans ${st.cleans.join(" ")}`);
  if (st.upToDate) extra.push(`skipped while ${st.upToDate.stamp} matches`);
  if (st.kind === "command") {
    if (st.cwd) extra.push(`cwd ${st.cwd}`);
    if (st.pathPrepend.length) extra.push(`PATH+=${st.pathPrepend.join(":")}`);
    for (const [k, v] of Object.entries(st.env)) extra.push(`${k}=${v}`);
    if (st.upToDate?.record) extra.push("records the stamp");
    return `${head}\n        $ ${shellLine(st.argv)}\n        # ${st.why}${extra.length ? ` (${extra.join("; ")})` : ""}`;
  }
  return `${head}\n        in-process ${st.name}: ${st.detail}\n        # ${st.why}${extra.length ? ` (${extra.join("; ")})` : ""}`;
}

/** Human-readable plan (the dry run's output). */
export function formatPlatformPlan(plan: PlatformPlan): string {
  const out: string[] = [];
  const image = plan.runner.image ? `, image ${plan.runner.image} (${plan.runner.imagePin ?? "no pin in containers/images.lock.json yet"})` : "";
  out.push(`== ${plan.platform}${plan.policy ? ` [${plan.policy}]` : ""}: runner ${plan.runner.label}${image}, generator ${plan.generator}`);
  for (const n of plan.notes) out.push(`   why: ${n}`);
  const envs = Object.entries(plan.env);
  out.push(`   env: ${envs.length ? envs.map(([k, v]) => `${k}=${v}`).join(" ") : "(none)"}`);
  out.push(`   abi: ${plan.abi.variant}: ${plan.abi.reason}`);
  for (const s of plan.abi.skipped) out.push(`     skipped ${s.python}: ${s.reason}`);
  out.push(`   repair: ${plan.repair.tool} (${plan.repair.policy}): ${plan.repair.checks}`);
  for (const b of plan.builds) {
    out.push(`   -- ${b.wheel}`);
    out.push(`      python ${b.python} (${b.abi}, serves ${b.serves.join(" ")}): ${b.interpreter}`);
    out.push(`      extension suffix ${b.extensionSuffix}`);
    out.push(`      cmake cache: ${Object.entries(b.cmakeCache).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
  if (plan.native) out.push(`   -- ${plan.native.wheel} (native: C API + runtime libraries, from Python ${plan.native.fromPython}'s build; every wheel above requires it ==)`);
  out.push(`   steps (${plan.steps.length}, in the order the step runner executes them):`);
  for (const [i, st] of plan.steps.entries()) out.push(formatStep(i + 1, plan.steps.length, st));
  return out.join("\n") + "\n";
}
