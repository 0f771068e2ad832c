// The options resolver (src/options/): defaults → release.config.json → environment → flags, one
// frozen object; the one config loader with "did you mean"; the one token lookup; one policy default.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadReleaseConfig, parseReleaseConfig, unknownFields } from "../../src/options/config.js";
import { githubTokenOf, REPO_ROOT, requireGithubToken, resolveOptions } from "../../src/options/resolve-options.js";
import { ReleaseConfig } from "../../src/schema/config.js";

const REPO = resolve(import.meta.dirname, "../..");

/** A checkout-like root holding only a release.config.json. */
function rootWith(config: unknown): string {
  const d = mkdtempSync(join(tmpdir(), "options-"));
  writeFileSync(join(d, "release.config.json"), JSON.stringify(config));
  return d;
}

describe("resolveOptions", () => {
  it("computes the repo root once, the same the tests derive", () => {
    expect(REPO_ROOT).toBe(REPO);
    expect(resolveOptions({}, {}).repoRoot).toBe(REPO);
  });

  it("defaults: cache and tools under <repo>/.cache, the public GitHub, manylinux2014, no token", () => {
    const root = rootWith({});
    const o = resolveOptions({}, {}, root);
    expect(o).toMatchObject({ cacheDir: join(root, ".cache"), toolsDir: join(root, ".cache", "tools"), policy: "manylinux2014", configFile: join(root, "release.config.json") });
    expect(o.github).toEqual({ serverUrl: "https://github.com", tagPrefix: "v" });
    expect(o.indexRoot).toBeUndefined();
  });

  it("merges defaults → config → environment → flags, later wins", () => {
    const root = rootWith({
      manylinuxPolicy: "manylinux_2_28",
      publish: { github: { owner: "cfg", repo: "releases", apiUrl: "http://127.0.0.1:1/cfg", tagPrefix: "mlir-" }, index: { baseUrl: "http://127.0.0.1:2/", root: "cfg-index" } },
    });
    const fromConfig = resolveOptions({}, {}, root);
    expect(fromConfig.policy).toBe("manylinux_2_28");
    expect(fromConfig.github).toMatchObject({ repository: { owner: "cfg", repo: "releases" }, apiUrl: "http://127.0.0.1:1/cfg", tagPrefix: "mlir-" });
    expect(fromConfig.indexRoot).toBe(resolve("cfg-index"));

    const env = { MLIR_RELEASE_CACHE: "/srv/env-cache", MLIR_RELEASE_TOOLS: "/srv/env-tools", GITHUB_API_URL: "http://127.0.0.1:3/env", GITHUB_SERVER_URL: "http://127.0.0.1:4" };
    const fromEnv = resolveOptions({}, env, root);
    expect(fromEnv).toMatchObject({ cacheDir: "/srv/env-cache", toolsDir: "/srv/env-tools" });
    // The API root is the one exception: every Actions job sets GITHUB_API_URL, so a configured root wins over it.
    expect(fromEnv.github).toMatchObject({ apiUrl: "http://127.0.0.1:1/cfg", serverUrl: "http://127.0.0.1:4" });
    expect(resolveOptions({}, env, rootWith({})).github.apiUrl).toBe("http://127.0.0.1:3/env");

    const fromFlags = resolveOptions(
      { cache: "/srv/flag-cache", policy: "manylinux2014", githubRepository: "flag/repo", githubApiUrl: "http://127.0.0.1:5/flag", indexRoot: "/srv/flag-index" },
      env,
      root,
    );
    expect(fromFlags).toMatchObject({ cacheDir: "/srv/flag-cache", policy: "manylinux2014", indexRoot: "/srv/flag-index" });
    expect(fromFlags.github).toMatchObject({ repository: { owner: "flag", repo: "repo" }, apiUrl: "http://127.0.0.1:5/flag" });
  });

  it("is frozen, all the way down", () => {
    const o = resolveOptions({ githubRepository: "a/b" }, {}, rootWith({}));
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.github.repository)).toBe(true);
    expect(Object.isFrozen(o.config.pythons)).toBe(true);
    expect(() => {
      (o as { cacheDir: string }).cacheDir = "/elsewhere";
    }).toThrow(TypeError);
  });

  it("refuses bad flags with the flag's name", () => {
    const root = rootWith({});
    expect(() => resolveOptions({ policy: "manylinux_2_5" }, {}, root)).toThrow("--policy 'manylinux_2_5': expected one of manylinux2014, manylinux_2_28");
    expect(() => resolveOptions({ githubRepository: "https://example.org/a/b" }, {}, root)).toThrow("--github-repository 'https://example.org/a/b': expected <owner>/<name>");
    expect(() => resolveOptions({ githubApiUrl: "not a url" }, {}, root)).toThrow(/^--github-api-url 'not a url': /);
    expect(() => resolveOptions({ config: join(root, "missing.json") }, {}, root)).toThrow(/does not exist/);
  });
});

describe("the one GitHub token lookup", () => {
  it("MLIR_RELEASE_GITHUB_TOKEN first, then GITHUB_TOKEN; empty counts as unset", () => {
    expect(githubTokenOf({ MLIR_RELEASE_GITHUB_TOKEN: "ours", GITHUB_TOKEN: "ci" })).toBe("ours");
    expect(githubTokenOf({ MLIR_RELEASE_GITHUB_TOKEN: "", GITHUB_TOKEN: "ci" })).toBe("ci");
    expect(githubTokenOf({})).toBeUndefined();
    const root = rootWith({});
    expect(resolveOptions({}, { MLIR_RELEASE_GITHUB_TOKEN: "t" }, root).github.token).toBe("t");
    expect(() => requireGithubToken(resolveOptions({}, {}, root), "plan --github-repository o/r")).toThrow(
      "plan --github-repository o/r: neither MLIR_RELEASE_GITHUB_TOKEN nor GITHUB_TOKEN is set",
    );
  });
});

describe("release.config.json: unknown keys are errors with a suggestion", () => {
  it("suggests the nearest known key at every depth, arrays included", () => {
    expect(unknownFields({ pythns: [], publish: { githb: {} }, platforms: [{ id: "linux-x86_64", imag: "x" }], manylinuxPolicey: "x" })).toEqual([
      { path: "pythns", suggestion: "pythons" },
      { path: "publish.githb", suggestion: "publish.github" },
      { path: "platforms.0.imag", suggestion: "platforms.0.image" },
      { path: "manylinuxPolicey", suggestion: "manylinuxPolicy" },
    ]);
  });

  it("gives no suggestion when nothing is near, and records keep any key", () => {
    expect(unknownFields({ zzzzzzzz: 1 })).toEqual([{ path: "zzzzzzzz" }]);
    expect(unknownFields({ layerCmakeOptions: { ANY_CMAKE_OPTION: "ON" } })).toEqual([]);
    expect(() => parseReleaseConfig({ zzzzzzzz: 1 }, "cfg.json")).toThrow("invalid config cfg.json: zzzzzzzz: unknown field");
  });

  it("the Dagger module's config goes through the same loader", async () => {
    const { moduleConfig } = await import("../../src/dagger/module-support.js");
    expect(moduleConfig()).toEqual(loadReleaseConfig(REPO));
    const root = rootWith({ distributon: "x" });
    expect(() => loadReleaseConfig(root)).toThrow("distributon: unknown field (did you mean distribution?)");
  });

  it("the default policy is written once, in the config schema", () => {
    expect(ReleaseConfig.parse({}).manylinuxPolicy).toBe("manylinux2014");
  });
});
