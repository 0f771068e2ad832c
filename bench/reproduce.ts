// Reproducibility check: the same inputs built in two fresh work dirs (different paths, different
// path lengths) must give byte-identical wheels. Prints sha256 per wheel and the first differing member.
//   npx tsx bench/reproduce.ts [--python 3.12]
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { LLVM_22_1_8_TAG, parsePythons } from "../src/build/cli.js";
import { buildWheels, type BuildSettings } from "../src/build/factory.js";
import { HostEnv } from "../src/exec/host.js";
import { linuxX86_64 } from "../src/platforms/linux-x86_64.js";
import { ConsoleProgress } from "../src/progress.js";
import { DEBIAN_LLVM_22_1_8 } from "../src/source/tree.js";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const i = process.argv.indexOf("--python");
const pythons = parsePythons(i >= 0 ? (process.argv[i + 1] ?? "3.12") : "3.12");
const cache = process.env["MLIR_RELEASE_CACHE"] ?? join(REPO, ".cache");

async function buildIn(name: string) {
  const work = join(cache, name);
  const out = join(REPO, "test-output", name);
  rmSync(work, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  const s: BuildSettings = {
    repoRoot: REPO,
    cacheDir: cache,
    workDir: work,
    outDir: out,
    platform: linuxX86_64,
    pythons,
    source: { kind: "tarball", ref: DEBIAN_LLVM_22_1_8 },
    layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22" },
    release: { distribution: "mlir-python-bindings",
    devDistribution: "mlir-python-bindings-dev", llvmRepository: "https://github.com/llvm/llvm-project.git", llvmCommit: LLVM_22_1_8_TAG.commit, llvmTag: LLVM_22_1_8_TAG.tag },
    nanobind: "2.9.2",
    nanobindDomain: "mlir_release",
    verify: false,
    dev: false,
    toolsDir: process.env["MLIR_RELEASE_TOOLS"] ?? join(REPO, ".cache", "tools"),
  };
  const report = await buildWheels(s, new HostEnv(join(work, "logs", "build.log")), new ConsoleProgress());
  return { out, report };
}

const a = await buildIn("repro-a");
const b = await buildIn("repro-bb-longer-path");
let same = true;
for (const [k, wa] of a.report.wheels.entries()) {
  const wb = b.report.wheels[k]!;
  const equal = wa.sha256 === wb.sha256;
  same &&= equal;
  let first = "";
  if (!equal) {
    const fa = unzipSync(readFileSync(join(a.out, wa.fileName)));
    const fb = unzipSync(readFileSync(join(b.out, wb.fileName)));
    first = Object.keys({ ...fa, ...fb }).sort().find((n) => !fa[n] || !fb[n] || Buffer.compare(Buffer.from(fa[n]), Buffer.from(fb[n])) !== 0) ?? "(zip structure)";
  }
  console.log(`${wa.fileName}: ${equal ? "EQUAL" : "DIFFERENT"} ${wa.sha256}${equal ? "" : ` vs ${wb.sha256}, first differing member: ${first}`}`);
}
process.exit(same ? 0 : 1);
