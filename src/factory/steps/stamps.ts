// Reuse: a wheel whose inputs and steps are unchanged since the last build is not rebuilt. Its stamp
// (<work>/stamps/<platform>-<target>.json) records a key over every input and the wheel it made; a
// stamp with the same key whose wheel is still in the output folder, byte for byte, skips the target.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LlvmLayer } from "../../layer/layer.js";
import type { PlatformPlan } from "../../platforms/platform-plan.js";
import type { BuildReport } from "../../schema/build-report.js";
import { canonicalHash, sha256Hex } from "../../util/hash.js";
import { runtimeLibsModule } from "../../wheels/runtime-libs.js";
import { PIPELINE_VERSION } from "../settings.js";
import type { StampInputs } from "../step-inputs.js";
import type { ReleaseFiles } from "./metadata.js";
import type { SourceOutput } from "./source.js";
import type { NativeEntry, WheelEntry } from "./target.js";

/** What a stamp recorded, if it was written for `key` (the same inputs); undefined otherwise. */
function stampFor<T>(stampFile: string, key: string): T | undefined {
  if (!existsSync(stampFile)) return undefined;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as { key: string } & T;
  return stamp.key === key ? stamp : undefined;
}

/** Whether the recorded output file is still there with the recorded size. */
const stillThere = (path: string, size: number): boolean => existsSync(path) && statSync(path).size === size;

function reuseIfUnchanged(stampFile: string, key: string, outDir: string): WheelEntry | undefined {
  const wheel = stampFor<{ wheel: WheelEntry }>(stampFile, key)?.wheel;
  if (!wheel) return undefined;
  const path = join(outDir, wheel.fileName);
  if (!stillThere(path, wheel.size)) return undefined;
  // A full hash costs ~0.3 s for a 60 MB wheel: cheap enough to never reuse a tampered file.
  if (sha256Hex(readFileSync(path)) !== wheel.sha256) return undefined;
  return wheel;
}

/** Everything but the repository's code the bindings' output depends on, hashed (containers/bindings). */
export const projectFilesHash = (repoRoot: string): string => {
  const dir = join(repoRoot, "containers", "bindings");
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(`${p.slice(dir.length)}:${sha256Hex(readFileSync(p))}`);
    }
  };
  walk(dir);
  return sha256Hex(files.join("\n"));
};

/** What a target's key is made of: the settings it covers, the plan and the earlier steps' outputs. */
interface StampSources {
  settings: StampInputs;
  plan: PlatformPlan;
  source: SourceOutput;
  layer: LlvmLayer;
  files: ReleaseFiles;
  requirements: { tools: { sha256: string }; build: { sha256: string } };
  projectHash: string;
}

interface Stamp<E> {
  file: string;
  key: string;
  reused?: E;
}

/** The stamps of one build's targets, each decided once (the first time a step of the target asks). */
export class TargetStamps {
  private readonly python = new Map<string, Stamp<WheelEntry>>();
  private nativeStamp: Stamp<NativeEntry> | undefined;
  constructor(private readonly i: StampSources) {}

  private keyOf(python: string): string {
    const { settings: s, plan, source, layer, files, requirements } = this.i;
    const b = plan.builds.find((x) => x.python === python);
    return canonicalHash({
      pipeline: PIPELINE_VERSION,
      source: source.tree.identity,
      layer: layer.key,
      python: b?.interpreter,
      nanobind: s.nanobind,
      domain: s.nanobindDomain,
      metadata: files.metadata,
      releaseInfo: files.releaseInfo,
      runtimeLibs: runtimeLibsModule(),
      projectHash: this.i.projectHash,
      platform: s.platform,
      requirements: { tools: requirements.tools.sha256, build: requirements.build.sha256 },
      steps: plan.steps.filter((x) => x.python === python && x.phase !== "verify"),
    });
  }

  private fileOf(target: string): string {
    return join(this.i.settings.workDir, "stamps", `${this.i.settings.platform}-${target}.json`);
  }

  /** The native wheel is made from the first Python's staged package: that wheel's inputs plus its own steps. */
  native(): Stamp<NativeEntry> {
    if (this.nativeStamp) return this.nativeStamp;
    const np = this.i.plan.native;
    const key = canonicalHash({
      python: this.keyOf(np?.fromPython ?? ""),
      nativeMetadata: this.i.files.nativeMetadata,
      steps: this.i.plan.steps.filter((x) => x.id.startsWith("native/")),
    });
    const file = this.fileOf("native");
    const reused = reuseIfUnchanged(file, key, this.i.settings.outDir) as NativeEntry | undefined;
    this.nativeStamp = { file, key, ...(reused ? { reused } : {}) };
    return this.nativeStamp;
  }

  perPython(python: string): Stamp<WheelEntry> {
    const known = this.python.get(python);
    if (known) return known;
    const key = this.keyOf(python);
    const file = this.fileOf(`py${python}`);
    let reused = reuseIfUnchanged(file, key, this.i.settings.outDir);
    // The first Python's staged package is what the native wheel is made from: rebuild it when the native wheel must be.
    if (reused && this.i.plan.native?.fromPython === python && !this.native().reused) reused = undefined;
    const stamp = { file, key, ...(reused ? { reused } : {}) };
    this.python.set(python, stamp);
    return stamp;
  }

  /** Records what a target made, under its key. */
  static record(stamp: { file: string; key: string }, wheel: WheelEntry | NativeEntry): void {
    mkdirSync(dirname(stamp.file), { recursive: true });
    writeFileSync(stamp.file, JSON.stringify({ key: stamp.key, wheel }, null, 2));
  }
}

/** The dev distribution recorded for `key`, if every file of it is still in the output folder. */
export function reuseDevIfUnchanged(stampFile: string, key: string, outDir: string): BuildReport["dev"] | undefined {
  const dev = stampFor<{ dev: BuildReport["dev"] }>(stampFile, key)?.dev;
  return dev?.every((a) => stillThere(join(outDir, a.fileName), a.size)) ? dev : undefined;
}
