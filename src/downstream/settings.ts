// What `mlir-release downstream build` is given (settings), what it decides before building (the
// plan), and what it returns; shared by the stages in this folder (plan, release inputs, wheels, lit,
// verify) and by the CLI and rebuild.
import type { Platform } from "../platforms/platform.js";
import type { Artifact } from "../schema/artifact.js";
import type { DownstreamManifest, DownstreamProject } from "../schema/downstream.js";
import type { LitCounts } from "../verify/lit.js";
import type { LoadedRelease, ReleaseSource } from "./release.js";
import type { HostOptions } from "../schema/options.js";

export const DOWNSTREAM_MANIFEST = "downstream-manifest.json";
/** Our wheels' import package. */
export const OUR_PACKAGE = "mlir";

export interface DownstreamVerifySettings {
  /** Run the project's lit suite (its check-* target) against the installed wheels. */
  lit: boolean;
  /** The check target; default: the shortest check-* target of the build. */
  checkTarget?: string;
  /** Extra Python scripts run in each verification venv (exit 0, last stdout line JSON). */
  checkScripts: string[];
}

export interface DownstreamSettings {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  outDir: string;
  toolsDir: string;
  platform: Platform;
  projectDir: string;
  release: ReleaseSource;
  releaseVersion?: string;
  manifestFile?: string;
  pythons?: string[];
  distribution?: string;
  version?: string;
  packagePrefix?: string;
  nanobindDomain?: string;
  /** The nanobind version the caller expects; refused unless it is the release's. */
  nanobind?: string;
  sourceDateEpoch?: number;
  /** --define NAME=VALUE */
  defines?: string[];
  buildTargets?: string[];
  installComponents?: string[];
  verify: DownstreamVerifySettings | false;
  jobs?: number;
  /** This host (the resolved options'): SOURCE_DATE_EPOCH, and the variables that find its interpreters. */
  host: Pick<HostOptions, "sourceDateEpoch" | "discoveryEnv">;
}

/** Everything decided before building (pure apart from reading the project and the release). */
export interface DownstreamPlan {
  release: LoadedRelease;
  project: DownstreamProject;
  pythons: string[];
  nanobind: string;
  devTarball: Artifact;
}

export interface DownstreamCheck {
  python: string;
  installed: Record<string, string>;
  check: Record<string, unknown>;
  scripts: Record<string, Record<string, unknown>>;
  lit?: LitCounts | { skipped: string };
  seconds: number;
}

export interface DownstreamResult {
  manifest: DownstreamManifest;
  manifestPath: string;
  verification: Record<string, DownstreamCheck>;
}

/** Seconds since `t` (Date.now()), one decimal: the timings the manifest records. */
export const secondsSince = (t: number): number => Math.round((Date.now() - t) / 100) / 10;
