// A platform plan as `build --dry-run` prints it: the platform's facts, each wheel, then every step.
import { shellLine } from "../exec/env.js";
import type { BuildStep } from "../schema/build-step.js";
import type { ReleasePlan } from "../schema/release-plan.js";
import type { PlatformPlan } from "./platform-plan.js";

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

/** One platform of the dry run's summary: its plan, and the layer and source as its steps name them. */
export interface SummaryRow {
  plan: PlatformPlan;
  /** This machine's own plan (the steps `build` runs here), not a CI runner's. */
  here: boolean;
  layer: string;
  source: string;
}

const name = (p: PlatformPlan): string => `${p.platform}${p.policy ? ` [${p.policy}]` : ""}`;

/** Fixed-width columns; every line starts with text (never indented), so no line reads as a step or a `$` line. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** The wheels' Python and ABI tags, one word each: cp312 (py = abi), cp312-abi3, cp313-cp313t. */
const abiTags = (plan: PlatformPlan): string =>
  plan.builds
    .map((b) => {
      const [py, abi] = b.tag.split("-");
      // cp313t names its Python; abi3 and none do not.
      return abi?.startsWith(py!) ? abi : `${py}-${abi}`;
    })
    .join(" ");

/**
 * The dry run's first screen: what is built where, from which source, image and layer; the
 * per-platform details and step lists follow it. The plan's version, source and pins when there is one.
 */
export function formatDryRunSummary(rows: readonly SummaryRow[], o: { distribution?: string; plan?: ReleasePlan; planFile?: string; selection?: string } = {}): string {
  const out: string[] = [];
  const wheels = rows.reduce((a, r) => a + r.plan.builds.length, 0);
  const natives = rows.filter((r) => r.plan.native).length;
  const versions = [...new Set(rows.flatMap((r) => r.plan.builds.map((b) => b.wheel.split("-")[1]!)))];
  const dist = o.distribution ?? rows[0]?.plan.builds[0]?.wheel.split("-")[0] ?? "";
  out.push(
    `dry run: ${dist} ${versions.join(", ") || "(no wheel)"}${o.plan ? ` from plan ${o.planFile ?? ""} (${o.plan.kind}, LLVM ${o.plan.llvm.version}${o.plan.llvm.tag ? ` ${o.plan.llvm.tag}` : ""})`.replace("plan  (", "plan (") : ""}: ` +
      `${rows.length} platform build(s), ${wheels} per-Python wheel(s) + ${natives} native wheel(s); nothing is built`,
  );
  const sources = [...new Set(rows.map((r) => r.source))];
  if (sources.length === 1) out.push(`source: ${sources[0]}`);
  else for (const src of sources) out.push(`source: ${src} (${rows.filter((r) => r.source === src).map((r) => name(r.plan)).join(", ")})`);
  if (o.selection) out.push(`source note: ${o.selection}`);
  out.push("");
  const header = ["platform", "runner", "python/abi tags", "wheel platform tag", "image", "layer"];
  const body = rows.map((r) => [
    name(r.plan),
    r.here ? "this machine" : r.plan.runner.label,
    `${abiTags(r.plan) || "(none)"} (${r.plan.abi.variant})`,
    [...new Set(r.plan.builds.map((b) => b.tag.split("-").slice(2).join("-")))].join(" ") || "-",
    r.plan.runner.image ?? "- (runner itself)",
    r.layer || "-",
  ]);
  out.push(...table([header, ...body]));
  out.push("");
  const images = new Map(rows.filter((r) => r.plan.runner.image).map((r) => [r.plan.runner.image!, r.plan.runner.imagePin ?? "NO PIN in containers/images.lock.json"]));
  for (const [image, pin] of images) out.push(`image ${image}: ${pin}`);
  for (const r of rows.filter((x) => x.plan.abi.skipped.length)) {
    const s = r.plan.abi.skipped;
    out.push(`not built on ${name(r.plan)}: ${s.map((x) => x.python).join(" ")} (${s[0]!.reason}${s.length > 1 ? "; …, see its abi: lines" : ""})`);
  }
  out.push(`details: each platform's facts, wheels and complete step list follow (${rows.map((r) => `${name(r.plan)} ${r.plan.steps.length}`).join(", ")} steps)`);
  return `${out.join("\n")}\n`;
}
