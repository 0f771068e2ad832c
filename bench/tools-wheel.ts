// What a self-contained `<distribution>-tools` wheel (mlir-opt, mlir-translate, mlir-lsp-server,
// mlir-tblgen, FileCheck, not, count, split-file) would weigh when taken from a layer (issue 29 item 2).
//   npx tsx bench/tools-wheel.ts [--prefix <layer prefix>] [--work <dir>]
// 1. Each tool of <prefix>/bin: size, DT_NEEDED, and which needed libraries it imports no symbol from
//    (an entry a linker without --as-needed left: droppable with patchelf --remove-needed).
// 2. The tools as they are, in a wheel repaired by auditwheel (what grafting their libraries costs).
// 3. mlir-opt/-translate/-lsp-server relinked statically into one program (containers/tools/mlir-tools.cpp)
//    against the layer's MLIR and LLVM archives (with gold's --icf=safe, as src/wheels/tools-wheel.ts links it): stripped and deflated size, where the bytes come from
//    (link map), and the size without the LLVM targets a host;NVPTX;AMDGPU layer does not build.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { deflateRawSync } from "node:zlib";
import { execa } from "execa";
import { TOOL_COMMANDS } from "../src/wheels/tools.js";
import { assembleWheel } from "../src/wheels/wheel.js";
import { composition, coarseGroup, parseGnuLdMap } from "../src/wheels/size-composition.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};
const REPO = resolve(new URL("..", import.meta.url).pathname);
const prefix = resolve(arg("--prefix", "/usr/lib/llvm-22"));
const work = resolve(arg("--work", join(REPO, ".cache", "bench", "tools-wheel")));
const tools = join(REPO, ".cache", "tools", "bin");
const MB = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
const deflated = (file: string): number => deflateRawSync(readFileSync(file), { level: 6 }).length;
const out = (s: string): void => void process.stdout.write(`${s}\n`);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. The tools as the layer has them.
const needed = async (file: string): Promise<string[]> =>
  [...(await execa("readelf", ["-d", file])).stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
const imports = async (file: string): Promise<Set<string>> =>
  new Set((await execa("nm", ["-D", "--undefined-only", file])).stdout.split("\n").map((l) => l.trim().split(/\s+/).pop()!.replace(/@.*$/, "")).filter(Boolean));
const exportsOf = async (lib: string): Promise<Set<string>> =>
  new Set((await execa("nm", ["-D", "--defined-only", lib])).stdout.split("\n").map((l) => l.trim().split(/\s+/).pop()!.replace(/@.*$/, "")).filter(Boolean));
const libPath = async (lib: string): Promise<string | undefined> => {
  for (const d of [join(prefix, "lib"), "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64"]) if (existsSync(join(d, lib))) return join(d, lib);
  return undefined;
};
const SYSTEM = /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|ld-linux-x86-64)\.so/;
out(`## ${prefix}/bin`);
out("| tool | size | DT_NEEDED beyond libc/libstdc++ | of those, no symbol imported |\n|---|---|---|---|");
for (const t of TOOL_COMMANDS) {
  const f = join(prefix, "bin", t);
  if (!existsSync(f)) {
    out(`| ${t} | missing | | |`);
    continue;
  }
  const imp = await imports(f);
  const extra = (await needed(f)).filter((n) => !SYSTEM.test(n));
  const unused: string[] = [];
  for (const n of extra) {
    const p = await libPath(n);
    if (p && ![...(await exportsOf(p))].some((s) => imp.has(s))) unused.push(n);
  }
  out(`| ${t} | ${MB(statSync(f).size)} | ${extra.join(" ") || "–"} | ${unused.join(" ") || "–"} |`);
}

// 2. As they are, repaired: auditwheel grafts what they link.
const root = join(work, "as-is");
mkdirSync(join(root, "mlir_tools", "bin"), { recursive: true });
for (const t of TOOL_COMMANDS) if (existsSync(join(prefix, "bin", t))) copyFileSync(join(prefix, "bin", t), join(root, "mlir_tools", "bin", t));
const meta = { distribution: "mlir-python-bindings-tools", version: "0", summary: "bench", requiresPython: ">=3.9", requiresDist: [], projectUrls: {}, license: "Apache-2.0 WITH LLVM-exception" };
const raw = await assembleWheel({ root, packageName: "mlir_tools", metadata: meta, tag: { python: "py3", abi: "none", platform: "linux_x86_64" }, sourceDateEpoch: 1795478400, generator: "bench", outDir: work });
const t0 = Date.now();
const repaired = await execa(join(tools, "auditwheel"), ["repair", "--plat", "manylinux_2_36_x86_64", "-w", join(work, "repaired"), raw.path], {
  env: { PATH: `${tools}:${process.env["PATH"]}`, LD_LIBRARY_PATH: join(prefix, "lib") },
  reject: false,
  all: true,
});
out(`\n## the tools as they are, one wheel: ${MB(statSync(raw.path).size)} before repair`);
if (repaired.exitCode !== 0) out(`auditwheel repair failed: ${repaired.all?.split("\n").slice(-2).join(" ")}`);
else {
  const whl = join(work, "repaired", readdirSync(join(work, "repaired"))[0]!);
  const list = (await execa("unzip", ["-l", whl])).stdout.split("\n");
  const installed = Number(/^\s*(\d+)\s+\d+ files$/m.exec(list.join("\n"))?.[1] ?? 0);
  const grafted = list.filter((l) => /\.libs\/[^/\s]+$/.test(l)).map((l) => l.trim().split(/\s+/)).map((c) => `${c[3]!.split("/").pop()} ${MB(Number(c[0]))}`);
  out(`repaired (${((Date.now() - t0) / 1000).toFixed(0)} s): ${MB(statSync(whl).size)} wheel, ${MB(installed)} installed; grafted: ${grafted.join(", ")}`);
}

// 3. One static program for the three MLIR tools.
const inc = join(prefix, "include");
const obj = join(work, "mlir-tools.o");
const exe = join(work, "mlir-tools");
await execa("g++", ["-std=c++17", "-O2", "-fno-rtti", "-ffunction-sections", "-fdata-sections", `-I${inc}`, "-c", join(REPO, "containers", "tools", "mlir-tools.cpp"), "-o", obj]);
const libs = readdirSync(join(prefix, "lib")).sort();
// Components whose dependencies a wheel cannot carry (libedit, curl, Polly) or that nothing here uses.
const archives = libs
  .filter((l) => (/^libMLIR.*\.a$/.test(l) && !/Test/.test(l)) || (/^libLLVM.*\.a$/.test(l) && !/LineEditor|Debuginfod|Exegesis|BOLT|Extensions/.test(l)))
  .map((l) => join(prefix, "lib", l));
const t1 = Date.now();
await execa("g++", [
  "-o", exe, obj, "-fuse-ld=gold", "-Wl,--gc-sections", "-Wl,--icf=safe", "-Wl,--as-needed", `-Wl,-Map=${exe}.map`, "-s",
  "-Wl,--start-group", ...archives, "-Wl,--end-group",
  ...["libzstd.a", "libz.a"].map((a) => join("/usr/lib/x86_64-linux-gnu", a)), "-lpthread", "-ldl", "-lrt", "-lm",
]);
const linkS = (Date.now() - t1) / 1000;
const dyn = (await needed(exe)).filter((n) => !SYSTEM.test(n));
const rows = composition(parseGnuLdMap(readFileSync(`${exe}.map`, "utf8")), coarseGroup);
const total = rows.reduce((n, r) => n + r.total, 0);
const otherTargets = rows.find((r) => r.group === "LLVM other targets")?.total ?? 0;
const size = statSync(exe).size;
const def = deflated(exe);
out(`\n## mlir-opt + mlir-translate + mlir-lsp-server, one static program (${archives.length} archives, link ${linkS.toFixed(0)} s)`);
out(`stripped ${MB(size)}, deflated ${MB(def)}; DT_NEEDED beyond libc/libstdc++: ${dyn.join(" ") || "none"}`);
out("| from | MB | share |\n|---|---|---|");
for (const r of rows) out(`| ${r.group} | ${(r.total / 1e6).toFixed(1)} | ${((100 * r.total) / total).toFixed(1)} % |`);
const keep = 1 - otherTargets / total;
out(`without the targets a host;NVPTX;AMDGPU layer does not build (${MB(otherTargets)} of ${MB(total)} linked): about ${MB(size * keep)} stripped, ${MB(def * keep)} deflated`);
