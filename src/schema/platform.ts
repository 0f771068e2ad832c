// Platforms and wheel tags: which platforms exist, a wheel's PEP 425 tag, the ABI variant of the
// per-Python part, the manylinux policy, and a platform's entry in the config.
import { z } from "zod";
import { PythonVersion } from "./strings.js";

export const PlatformId = z.enum([
  "linux-x86_64",
  "linux-aarch64",
  "macos-arm64",
  "macos-x86_64",
  "windows-x64",
]);
export type PlatformId = z.infer<typeof PlatformId>;

/** A wheel's compatibility tag triple (PEP 425), e.g. cp312-cp312-manylinux_2_17_x86_64. */
export const WheelTag = z.object({
  python: z.string().regex(/^(cp3\d+|py3)$/),
  abi: z.string().regex(/^(cp3\d+t?|abi3|none)$/),
  // A compressed tag set (PEP 425) joins tags with dots: manylinux2014 wheels are manylinux_2_17_x86_64.manylinux2014_x86_64.
  platform: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, "a platform tag such as manylinux_2_28_x86_64, macosx_11_0_arm64, win_amd64 or any"),
});
export type WheelTag = z.infer<typeof WheelTag>;
export const wheelTagString = (t: WheelTag): string => `${t.python}-${t.abi}-${t.platform}`;

/** How the per-Python part of the bindings is built: per version, stable ABI, or free-threaded. */
export const AbiVariant = z.enum(["cpython", "abi3", "freethreaded"]);
export type AbiVariant = z.infer<typeof AbiVariant>;

export const PlatformConfig = z.object({
  id: PlatformId,
  /** Container image reference for Linux builds; must name an entry of containers/images.lock.json. */
  image: z.string().optional(),
  pythons: z.array(PythonVersion).min(1).optional(),
});
export type PlatformConfig = z.infer<typeof PlatformConfig>;

/** manylinux policies of the Linux builds (the image a build runs in and the tag auditwheel repairs to). */
export const ManylinuxPolicy = z.enum(["manylinux2014", "manylinux_2_28"]);
export type ManylinuxPolicy = z.infer<typeof ManylinuxPolicy>;
