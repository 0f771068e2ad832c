// The import rules of src/ (DESIGN.md, "Where code lives"), checked on the source text: no cycle
// between files; plan/ stays pure (its facts come from select/, which gathers them through
// external/ and exec/); select/ is an edge the CLI calls and reads nothing from later stages.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");
const FILES = readdirSync(SRC, { recursive: true })
  .map(String)
  .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"));

/**
 * A file's runtime imports (`import type` is erased, so it is left out): src-relative paths for
 * its own modules, the bare name for packages (node:fs, execa).
 */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s)?[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].flatMap((m) =>
    m[1] ? [] : [(m[2] ?? m[3])!],
  );
  return specs.map((s) => {
    if (!s.startsWith(".")) return s;
    const ts = relative(SRC, resolve(dirname(join(SRC, file)), s.replace(/\.js$/, ".ts")));
    return existsSync(join(SRC, ts)) ? ts : relative(SRC, resolve(dirname(join(SRC, file)), s));
  });
}
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));
const folder = (f: string): string => (f.includes("/") ? f.split("/")[0]! : f.replace(/\.(ts|js)$/, ""));
const inFolder = (dir: string) => [...GRAPH].filter(([f]) => f.startsWith(`${dir}/`));
const EFFECT_PACKAGES = ["execa", "octokit", "node:child_process", "node:http", "node:https", "@dagger.io/dagger"];

describe("dependency rules of src/", () => {
  it("no import cycle between files", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") return void cycles.push([...path.slice(path.indexOf(f)), f].join(" -> "));
      state.set(f, "open");
      for (const t of GRAPH.get(f) ?? []) if (GRAPH.has(t)) visit(t, [...path, f]);
      state.set(f, "done");
    };
    for (const f of GRAPH.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("plan/ is pure: it imports nothing from select/, external/, exec/ or cli/", () => {
    const bad = inFolder("plan").flatMap(([f, ts]) => ts.filter((t) => ["select", "external", "exec", "cli"].includes(folder(t))).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it("plan/ is pure all the way down: nothing it imports, directly or not, runs a program or talks to a network", () => {
    const reached = (start: string): string[] => {
      const seen = new Set<string>();
      const todo = [start];
      while (todo.length) for (const t of GRAPH.get(todo.pop()!) ?? []) if (!seen.has(t) && seen.add(t) && GRAPH.has(t)) todo.push(t);
      return [...seen];
    };
    const bad = inFolder("plan").flatMap(([f]) => reached(f).filter((t) => EFFECT_PACKAGES.includes(t)).map((t) => `${f} reaches ${t}`));
    expect(bad).toEqual([]);
  });

  it("plan/ touches files in two places only: writeManifest and the JSON-schema generator", () => {
    const fs = inFolder("plan")
      .filter(([, ts]) => ts.some((t) => /^(node:)?fs(\/promises)?$/.test(t)))
      .map(([f]) => f);
    expect(fs.sort()).toEqual(["plan/json-schema.ts", "plan/manifest.ts"]);
  });

  it("select/ is called by the CLI only, and reads nothing from a later stage", () => {
    const callers = [...GRAPH].flatMap(([f, ts]) => (folder(f) !== "select" && ts.some((t) => folder(t) === "select") ? [f] : []));
    expect(callers.every((f) => folder(f) === "cli"), callers.join(", ")).toBe(true);
    // The stages select/ may build on (DESIGN.md's list down to plan/); plan/ itself never imports select/.
    const below = new Set(["select", "errors", "schema", "options", "util", "exec", "external", "source", "plan"]);
    const bad = inFolder("select").flatMap(([f, ts]) => ts.filter((t) => t.endsWith(".ts") && !below.has(folder(t))).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it("select/ reaches git and GitHub only through exec/ and external/", () => {
    const direct = inFolder("select").flatMap(([f, ts]) => ts.filter((t) => EFFECT_PACKAGES.includes(t)).map((t) => `${f} -> ${t}`));
    expect(direct).toEqual([]);
  });
});
