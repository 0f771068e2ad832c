// The module as the Dagger TypeScript runtime registers it, read with the SDK's own introspector
// (the same scan() its entrypoint runs). The runtime scans against the engine-generated
// sdk/…/client.gen.ts; the npm package ships only client.gen.d.ts, so the scan runs on a copy of
// src/ beside a shim package whose client.gen.ts is that declaration file. Only the shim is ours.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SDK = join(dirname(createRequire(import.meta.url).resolve("@dagger.io/dagger")));

interface ScannedArg { type: { kind: string; name?: string }; isOptional: boolean; defaultValue?: unknown; defaultPath?: string; ignore?: string[] }
interface ScannedFn { name: string; cache?: string; returnType?: { kind: string; name?: string }; arguments: Record<string, ScannedArg>; getArgsOrder(): string[] }
let fns: Record<string, ScannedFn>;
let ctor: ScannedFn | undefined;

beforeAll(async () => {
  const t = mkdtempSync(join(tmpdir(), "dagger-scan-"));
  cpSync(join(ROOT, "src"), join(t, "src"), { recursive: true });
  const pkg = join(t, "node_modules/@dagger.io/dagger");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@dagger.io/dagger", types: "./index.ts" }));
  writeFileSync(join(pkg, "context.ts"), "export declare class Context {}\n");
  writeFileSync(join(pkg, "client.gen.ts"), readFileSync(join(SDK, "api/client.gen.d.ts"), "utf8").replace('"../common/context.js"', '"./context.js"'));
  writeFileSync(
    join(pkg, "index.ts"),
    'export * from "./client.gen.js";\nexport declare const object: () => ClassDecorator;\n' +
      "export declare const func: (o?: unknown) => MethodDecorator;\nexport declare const argument: (o?: unknown) => ParameterDecorator;\n",
  );
  const { scan } = (await import(pathToFileURL(join(SDK, "module/introspector/index.js")).href)) as {
    scan(files: string[], name: string, load: boolean): Promise<{ objects: Record<string, { methods: Record<string, ScannedFn> }> }>;
  };
  const m = await scan([join(t, "src/index.ts")], "mlir-release", false);
  expect(Object.keys(m.objects)).toEqual(["MlirRelease"]);
  fns = m.objects["MlirRelease"]!.methods;
  ctor = (m.objects["MlirRelease"] as unknown as { _constructor?: ScannedFn })._constructor;
}, 120_000);

const sig = (f: ScannedFn) =>
  f.getArgsOrder().map((a) => {
    const x = f.arguments[a]!;
    return `${a}: ${x.type.name ?? x.type.kind}${x.isOptional ? "?" : ""}${x.defaultValue !== undefined ? ` = ${String(x.defaultValue)}` : ""}`;
  });

describe("dagger.json", () => {
  const cfg = JSON.parse(readFileSync(join(ROOT, "dagger.json"), "utf8")) as { name: string; engineVersion: string; sdk: { source: string }; source: string; include: string[] };
  const sdkVersion = (JSON.parse(readFileSync(join(SDK, "../../package.json"), "utf8")) as { version: string }).version;

  it("pins the engine of the installed SDK's line, TypeScript SDK, the repository as module source", () => {
    expect(cfg.engineVersion).toBe(`v${sdkVersion}`);
    expect(cfg.engineVersion).toMatch(/^v0\.21\.\d+$/);
    expect(cfg.sdk).toEqual({ source: "typescript" });
    expect(readFileSync(join(ROOT, cfg.source, "src/index.ts"), "utf8")).toMatch(/@object\(\)\s*export class MlirRelease\b/);
    // The object's class is the module name in PascalCase, as the runtime looks it up.
    expect(cfg.name.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")).toBe("MlirRelease");
    // Caches and outputs are never uploaded with the module source.
    expect(cfg.include).toEqual(expect.arrayContaining(["!.cache", "!dist", "!node_modules"]));
  });
});

describe("the module as Dagger registers it", () => {
  it("takes the image registry and the Node download base as optional constructor arguments (the module sees no caller env)", () => {
    expect(ctor).toBeDefined();
    expect(sig(ctor!)).toEqual(["imageRegistry: STRING_KIND?", "nodeDistUrl: STRING_KIND?"]);
  });

  it("exposes plan, build, rebuild, publish, release, site, compilerCache, layerArtifacts, downstream; side-effecting ones are never cached", () => {
    expect(Object.keys(fns).sort()).toEqual(["build", "compilerCache", "downstream", "layerArtifacts", "plan", "publish", "rebuild", "release", "site"]);
    expect(Object.fromEntries(Object.entries(fns).map(([n, f]) => [n, f.cache ?? "default"]))).toEqual({
      plan: "never", // reads the LLVM remote: today's answer differs from yesterday's
      build: "default", // a pure function of its inputs: the engine may reuse it
      rebuild: "never", // a check: each call rebuilds (cache-off stamps the time asked into its exec)
      downstream: "default", // the release's files are checked by digest: same inputs, same wheels
      publish: "never",
      release: "never",
      site: "never", // reads the GitHub releases: the index changes when they do
      compilerCache: "never", // a cache volume's contents change with every build
      layerArtifacts: "never", // so do the layer archives builds leave in the cache volume
    });
  });

  it("takes the repository as a Directory defaulting to the module's context, minus caches and outputs", () => {
    for (const f of Object.values(fns)) {
      const src = f.arguments["source"]!;
      expect(src.type).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
      expect(src.defaultPath).toBe("/");
      expect(src.ignore).toEqual([".git", ".cache", "dist", "node_modules"]);
    }
  });

  it("every `dagger call` in the workflows names a function and arguments the module registers", () => {
    const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const dir = join(ROOT, ".github/workflows");
    let calls = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
      const text = readFileSync(join(dir, file), "utf8").split("\n").filter((l) => !l.trim().startsWith("#")).join("\n");
      for (const [, ctorPart, fn, fnPart] of text.matchAll(/(?:dagger call (?:-m \S+ )?|bash ci\/dagger-call\.sh )((?:--[a-z-]+ "[^"]*" )*)([a-z][a-z-]*) (.*?) (?:export|contents|stdout)\b/g)) {
        calls += 1;
        const f = fns[camel(fn!)];
        expect(f, `${file}: dagger call ${fn}`).toBeDefined();
        for (const [, flag] of ctorPart!.matchAll(/--([a-z][a-z-]*)/g)) expect(Object.keys(ctor!.arguments), `${file}: ${flag}`).toContain(camel(flag!));
        for (const [, flag] of fnPart!.matchAll(/--([a-z][a-z-]*)/g)) expect(f!.getArgsOrder(), `${file}: ${fn} --${flag}`).toContain(camel(flag!));
      }
    }
    // build, compiler-cache, layer-artifacts, plan, site (publish.yml), rebuild (downstream passes an array)
    expect(calls).toBeGreaterThanOrEqual(6);
    // ci/dagger-call.sh, through which build.yml and publish.yml call: its constructor flags are registered too.
    const wrapper = readFileSync(join(ROOT, "ci/dagger-call.sh"), "utf8");
    const [, ctorFlags] = /^exec dagger call ((?:--[a-z-]+ "[^"]*" )*)"\$@"$/m.exec(wrapper) ?? [];
    const flags = [...(ctorFlags ?? "").matchAll(/--([a-z][a-z-]*)/g)].map(([, f]) => camel(f!));
    expect(flags).toEqual(["imageRegistry", "nodeDistUrl"]);
    for (const flag of flags) expect(Object.keys(ctor!.arguments)).toContain(flag);
  });

  it("has the typed signatures the README and workflows call", () => {
    expect(sig(fns["build"]!)).toEqual([
      "source: Directory", "platform: STRING_KIND = linux-x86_64", "policy: STRING_KIND?",
      "llvmSource: STRING_KIND = debian:22.1.8", "layer: STRING_KIND = source", "python: STRING_KIND?",
      "plan: File?", "ccacheSeed: Directory?", "jobs: INTEGER_KIND?", "layerStore: STRING_KIND?", "githubToken: Secret?",
    ]);
    expect(fns["build"]!.returnType).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
    expect(sig(fns["publish"]!)).toEqual(["source: Directory", "dist: Directory", "dryRun: BOOLEAN_KIND = false", "githubToken: Secret?", "targets: STRING_KIND = github,index", "githubRepository: STRING_KIND?"]);
    expect(fns["publish"]!.returnType).toEqual({ kind: "STRING_KIND" });
    expect(sig(fns["release"]!)).toEqual([
      "source: Directory", "kind: STRING_KIND = snapshot", "ref: STRING_KIND?", "cutoff: STRING_KIND?", "policy: STRING_KIND?",
      "macosArm: Directory?", "macosIntel: Directory?", "windows: Directory?", "dryRun: BOOLEAN_KIND = false", "githubToken: Secret?",
      "targets: STRING_KIND = github,index", "githubRepository: STRING_KIND?",
    ]);
    expect(sig(fns["rebuild"]!)).toEqual(["source: Directory", "manifest: File", "platform: STRING_KIND = linux-x86_64", "cacheOff: BOOLEAN_KIND = true"]);
    // The cache exports take build's --policy / --plan (same volumes); no token.
    for (const f of ["compilerCache", "layerArtifacts"]) {
      expect(sig(fns[f]!), f).toEqual(["source: Directory", "platform: STRING_KIND = linux-x86_64", "policy: STRING_KIND?", "plan: File?"]);
      expect(fns[f]!.returnType, f).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
    }
    expect(fns["plan"]!.returnType).toEqual({ kind: "OBJECT_KIND", name: "File" });
    expect(sig(fns["plan"]!)).toEqual([
      "source: Directory", "kind: STRING_KIND = snapshot", "ref: STRING_KIND?", "cutoff: STRING_KIND?", "githubRepository: STRING_KIND?", "githubToken: Secret?",
    ]);
    expect(sig(fns["site"]!)).toEqual(["source: Directory", "githubRepository: STRING_KIND", "githubToken: Secret?", "baseUrl: STRING_KIND?", "prune: BOOLEAN_KIND = false"]);
    expect(fns["site"]!.returnType).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
    expect(sig(fns["downstream"]!)).toEqual([
      "source: Directory", "project: Directory", "release: STRING_KIND", "indexUrl: STRING_KIND",
      "platform: STRING_KIND = linux-x86_64", "policy: STRING_KIND = manylinux2014", "python: STRING_KIND?",
    ]);
    expect(fns["downstream"]!.returnType).toEqual({ kind: "OBJECT_KIND", name: "Directory" });
  });
});
