// The Dagger side of `downstream build`: the CLI in the platform's locked manylinux image, the
// project mounted read-only at /in/project, the release fetched from the index (checked by digest).
import type { Client, Container, Directory } from "@dagger.io/dagger";
import { cliArgv } from "./cli-argv.js";
import { cliContainer, PATHS, provisionedImage } from "./pipeline.js";
import { buildImageFor, type ManylinuxPolicy } from "../platforms/images.js";
import { type ImagesLock } from "../schema/images-lock.js";
import { parseOrExplain } from "../schema/parse.js";
import { type PlatformId } from "../schema/platform.js";
import { z } from "zod";

const DownstreamCall = z.object({
  release: z.string().regex(/^[0-9][0-9A-Za-z.+-]*$/, "a release version such as 22.1.8"),
  indexUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), "an http(s) URL"),
  pythons: z.string().regex(/^3\.\d+t?(,3\.\d+t?)*$/, "comma-separated CPython versions such as 3.11,3.12").optional(),
});

const PROJECT_PATH = "/in/project";

/** The container's `downstream build` argv, through cliArgv (checked against the CLI in dagger-argv.test.ts). */
export function downstreamArgv(o: z.infer<typeof DownstreamCall>): string[] {
  return cliArgv("downstream build", {
    project: PROJECT_PATH,
    indexUrl: o.indexUrl,
    release: o.release,
    out: PATHS.out,
    work: PATHS.work,
    cache: PATHS.cache,
    python: o.pythons,
  });
}

export function downstreamContainer(
  dag: Client,
  lock: ImagesLock,
  source: Directory,
  project: Directory,
  o: { platform: PlatformId; policy: ManylinuxPolicy; nanobind: string; release: string; indexUrl: string; pythons?: string },
): Container {
  const call = parseOrExplain(DownstreamCall, { release: o.release, indexUrl: o.indexUrl, ...(o.pythons ? { pythons: o.pythons } : {}) }, "downstream arguments");
  const img = buildImageFor(lock, o.platform, o.policy);
  return cliContainer(dag, provisionedImage(dag, img, source.directory("containers/provision"), o.nanobind), source)
    .withMountedCache(PATHS.cache, dag.cacheVolume(`mlir-release-downstream-${o.platform}-${o.policy}`))
    .withDirectory(PROJECT_PATH, project)
    .withExec(downstreamArgv(call));
}
