// A package is a recipe (DESIGN.md "Steps, targets, packages"): which llvm-project paths it takes,
// what it links from the LLVM layer, the commands that build and stage it, the wheel it makes and
// how that wheel is tested. The factory plans every enabled recipe through the same steps
// (src/packages/plan.ts: build commands → assemble → inspect → repair → place, then per Python:
// fresh venv → install → the recipe's tests) and runs them with the same step runner; a new package
// is a recipe plus its programs under containers/<package>/, never a fork of the factory.
// Pure data and pure functions of a context known before anything runs (`build --dry-run` prints them).
import type { BuildPhase } from "../schema/build-step.js";

/** One command of a recipe; it becomes the step `<package>/<name>` (or `<package>/py<X.Y>/<name>` for a test). */
export interface RecipeCommand {
  /** Unique within the recipe: "configure", "build", "install", "tests". */
  name: string;
  phase: Extract<BuildPhase, "configure" | "build" | "install" | "strip" | "verify">;
  argv: string[];
  why: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Directories emptied before it runs. */
  cleans?: string[];
  produces?: string[];
  /** Keep its stdout: a test command's last line is the JSON its counts are read from (TestCounts). */
  capture?: boolean;
}

/** Where one platform's build of the package happens and what it builds against (known at plan time). */
export interface RecipeBuildContext {
  /** The repository checkout (containers/<package>/ holds the recipe's programs). */
  repoRoot: string;
  /** The llvm-project tree, holding the recipe's sourcePaths. */
  sourceRoot: string;
  /** The LLVM layer's install prefix and its exact version ("22.1.8"). */
  layerPrefix: string;
  llvmVersion: string;
  /** The package's own build folder (one per platform; kept between runs, so the build is incremental). */
  buildDir: string;
  /** What the wheel is assembled from: the install step puts `<wheel.packageName>/…` here. */
  stageDir: string;
  /** A program of the tools venv (cmake, ninja) with the platform's suffix. */
  tool(name: string): string;
  jobs?: number;
  platform: { id: string; os: string; arch: string };
}

/** One Python's test run: the wheel is installed alone into a fresh venv whose interpreter is `python`. */
export interface RecipeTestContext {
  repoRoot: string;
  sourceRoot: string;
  /** CPython version ("3.13") and the fresh venv's interpreter. */
  version: string;
  python: string;
  /** Scratch folder of this Python's tests (emptied before they run). */
  workDir: string;
}

/** What a test command reports (its last stdout line, JSON); `failed + errors > 0` fails the build. */
export interface TestCounts {
  ran: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
}

/** A file the layer must hold for this package (checked before the build), and what provides it. */
export interface LayerRequirement {
  /** Relative to the layer's prefix, e.g. "lib/libclangIndex.a". */
  path: string;
  /** For the error: the Debian package that brings it to a prebuilt layer (or what a source layer must build). */
  providedBy: string;
}

export interface PackageRecipe {
  /** Key in release.config.json's `packages`, the step ids' prefix and the manifest's package name. */
  id: string;
  /** What it is, in a few words (dry run, logs, dashboard). */
  title: string;
  /** Distribution name when the config names none. */
  defaultDistribution: string;
  /** llvm-project paths the source step extracts for it, beyond the MLIR bindings'. */
  sourcePaths: readonly string[];
  /**
   * The llvm-project paths whose change can change its wheel, in `mlirPaths`' form (a folder ends with
   * "/"): while the package is enabled, a snapshot is also made when only these changed (plan/paths.ts).
   * Wider than sourcePaths: a from-source layer builds the libraries it links from the same commit.
   */
  relevantPaths: { include: readonly string[]; exclude: readonly string[] };
  layer: {
    /** What it links from a layer of LLVM major `major`. */
    requires(major: number): LayerRequirement[];
    /** LLVM_ENABLE_PROJECTS entries a from-source layer gains while the package is enabled. */
    projects: readonly string[];
    /** LLVM_DISTRIBUTION_COMPONENTS a from-source layer gains (installed into the layer's prefix). */
    distributionComponents: readonly string[];
  };
  /** The one wheel per platform it makes (py3-none-<platform>: nothing in it is Python-specific). */
  wheel: {
    /** The importable package at the wheel's root, as the install step stages it. */
    packageName: string;
    summary(llvmVersion: string): string;
    requiresPython: string;
    license: string;
    /** entry_points.txt [console_scripts]: command → "module:function" (a tools wheel's launchers). */
    consoleScripts?: Record<string, string>;
    /** The wheel's dependencies (Requires-Dist); none for a self-contained package. */
    requiresDist?: string[];
  };
  /** The commands that build the package and stage it into c.stageDir (configure, build, install, …). */
  build(c: RecipeBuildContext): RecipeCommand[];
  /** The commands that test the installed wheel on one Python (the last one's stdout ends with TestCounts JSON). */
  tests(c: RecipeTestContext): RecipeCommand[];
}

/** A package as one build enables it: its recipe and the distribution name the release config gives it. */
export interface EnabledPackage {
  recipe: PackageRecipe;
  distribution: string;
}
