// What a downstream build takes from our release: the dev distribution (fetched, checked, unpacked
// once per sha256) it configures against, and the shared libraries of our wheels, which repair never
// grafts into the project's wheels.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yauzl from "yauzl";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import type { ExecEnv } from "../exec/env.js";
import type { Progress } from "../progress.js";
import { fetchReleaseFile, ourWheel } from "./release.js";
import type { DownstreamPlan, DownstreamSettings } from "./settings.js";

/** The unpacked dev distribution: its root and the MLIR CMake package folder inside it. */
export interface DevDistribution {
  devRoot: string;
  mlirDir: string;
}

/** Fetches the release's dev tarball (checked against the manifest) and unpacks it once per sha256. */
export async function unpackDevDistribution(s: DownstreamSettings, plan: DownstreamPlan, env: ExecEnv, progress: Progress): Promise<DevDistribution> {
  const tarball = await fetchReleaseFile(plan.release, plan.devTarball.fileName, plan.devTarball.sha256, s.cacheDir);
  const devBase = join(s.workDir, "dev", plan.devTarball.sha256.slice(0, 16));
  const unpackedStamp = join(devBase, ".unpacked");
  if (!existsSync(unpackedStamp)) {
    progress.step(`unpack ${plan.devTarball.fileName}`);
    rmSync(devBase, { recursive: true, force: true });
    mkdirSync(devBase, { recursive: true });
    await env.run(["tar", "--zstd", "-xf", tarball, "-C", devBase]);
    writeFileSync(unpackedStamp, plan.devTarball.sha256);
  }
  const devName = readdirSync(devBase).find((d) => d.startsWith("mlir-dev-") && statSync(join(devBase, d)).isDirectory());
  if (!devName) throw new InvalidInputError(`${plan.devTarball.fileName}: no mlir-dev-* folder inside`);
  const devRoot = join(devBase, devName);
  return { devRoot, mlirDir: join(devRoot, "lib", "cmake", "mlir") };
}

/** Basenames of the shared libraries our wheels provide (the per-Python wheel and, split, the native wheel). */
export async function ourLibraries(s: DownstreamSettings, plan: DownstreamPlan): Promise<string[]> {
  const { release } = plan;
  const first = ourWheel(release.manifest, s.platform.id, plan.pythons[0]!);
  const ourWheelPath = await fetchReleaseFile(release, first.fileName, first.sha256, s.cacheDir);
  // The split: the C API and runtime libraries are in our platform's native wheel.
  const ourLibs = [
    ...(await ourSharedLibraries(ourWheelPath)),
    ...(first.native ? await ourSharedLibraries(await fetchReleaseFile(release, first.native.fileName, first.native.sha256, s.cacheDir)) : []),
  ];
  if (!ourLibs.length) throw new InvalidInputError(`${first.fileName}: no shared libraries under mlir/_mlir_libs (is it our wheel?)`);
  return ourLibs;
}

/** Basenames of the shared libraries inside our wheel (mlir/_mlir_libs/lib*.so*): never grafted into theirs. */
function ourSharedLibraries(wheel: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${wheel}: not a readable zip: ${err?.message ?? "?"}`));
      const out = new Set<string>();
      zip.on("entry", (e: yauzl.Entry) => {
        const m = /(?:^|\/)_mlir_libs\/(lib[^/]+\.so(?:\.[0-9.]+)?)$/.exec(e.fileName);
        if (m?.[1]) out.add(m[1]);
        zip.readEntry();
      });
      zip.on("end", () => resolve([...out].sort()));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** The member names of a wheel (zip), in central directory order. */
export function wheelMembers(wheel: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CheckFailedError(`${wheel}: not a readable zip`));
      const out: string[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        out.push(e.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

