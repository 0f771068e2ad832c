// ci/layer-job.sh status reads a live layer build without touching it. A `ninja -n` there once
// deleted the depfiles of compiles in flight (a dry run "finishes" each edge and removes its .d),
// so sccache failed them and the background layer job stopped at random.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, TOOLS } from "../support/env.js";

describe("ci/layer-job.sh status", () => {
  it("counts the objects left and leaves every depfile of the build in place", () => {
    const cache = mkdtempSync(join(tmpdir(), "layer-job-status-"));
    const build = join(cache, "layers", ".work", "linux-x86_64", "build");
    mkdirSync(build, { recursive: true });
    // Two compiles, one done: a.o exists, b.o is "in flight" with its depfile already written.
    writeFileSync(
      join(build, "build.ninja"),
      [
        "rule cc",
        "  command = touch $out",
        "  depfile = $out.d",
        "  deps = gcc",
        "rule stamp",
        "  command = touch $out",
        "build a.o: cc a.cpp",
        "build b.o: cc b.cpp",
        "build install: stamp a.o b.o",
        "",
      ].join("\n"),
    );
    for (const f of ["a.cpp", "b.cpp", "a.o"]) writeFileSync(join(build, f), "");
    writeFileSync(join(build, "b.o.d"), "b.o: b.cpp\n");
    writeFileSync(join(build, ".ninja_log"), "# ninja log v7\n0\t12000\t0\ta.o\t0\n");

    const r = spawnSync("bash", [join(REPO, "ci", "layer-job.sh"), "status"], {
      encoding: "utf8",
      env: { ...process.env, MLIR_RELEASE_CACHE: cache, PATH: `${join(TOOLS, "bin")}${delimiter}${process.env["PATH"]}` },
    });
    // Exit status 1: no job is running for this cache.
    expect(r.status, r.stderr).toBe(1);
    expect(existsSync(join(build, "b.o.d")), "the in-flight compile's depfile").toBe(true);
    expect(existsSync(join(build, "b.o"))).toBe(false);
    expect(r.stdout).toContain("object files left: 1 of 2");
    expect(r.stdout).toContain("estimate: 12 compile-seconds left at 12.0 s per object");
  });
});
