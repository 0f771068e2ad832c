// What a build's bytes came from: hashed requirements, each wheel's members, the outside inputs.
// Recorded in the build report and the manifest; what `rebuild` replays and compares.
import { z } from "zod";
import { Sha256 } from "./strings.js";

/** A hashed requirements file a venv was installed from, as the report and manifest record it. */
export const PinnedRequirements = z.strictObject({
  /** Repository-relative path of the file (containers/provision/requirements/…). */
  file: z.string(),
  sha256: Sha256,
  /** Every pin in it (name==version, with its environment marker when it has one). */
  pins: z.array(z.string()),
  /** The file itself (every pin with its hashes): what `rebuild` installs. */
  text: z.string(),
});
export type PinnedRequirements = z.infer<typeof PinnedRequirements>;

/** One file member of a wheel and the sha256 of its bytes: what `rebuild` compares without the old wheel. */
export const WheelMember = z.strictObject({ name: z.string(), sha256: Sha256, size: z.number().int().nonnegative() });
export type WheelMember = z.infer<typeof WheelMember>;
/** Every wheel's file members (central directory order), by wheel file name. */
export const WheelMembers = z.record(z.string(), z.array(WheelMember));

/**
 * What reached a build's bytes from outside the repository (src/rebuild/inputs.ts): the layer and
 * the packages it came from, the compiler and binutils, each Python's headers, nanobind, and the
 * libraries auditwheel grafted with the packages they came from. Recorded, not pinned.
 */
export const BuildInputs = z.strictObject({
  /** `c++ --version` and `ld --version`, first lines. */
  compiler: z.string(),
  linker: z.string(),
  layer: z.strictObject({
    kind: z.string(),
    key: z.string(),
    prefix: z.string(),
    /** A source layer's CMake options; a prebuilt layer's owning packages are in `packages`. */
    cmakeOptions: z.record(z.string(), z.string()).optional(),
  }),
  /** Installed system packages (dpkg) that own the layer, the compiler, binutils and grafted libraries: name → version. */
  packages: z.record(z.string(), z.string()),
  /** Per Python: the interpreter whose headers the extensions were compiled against, and nanobind in its build venv. */
  pythons: z.record(z.string(), z.strictObject({ version: z.string(), nanobind: z.string() })),
  /** Per wheel: the libraries auditwheel grafted (member, sha256, the file and package it came from). */
  grafted: z.record(
    z.string(),
    z.array(z.strictObject({ member: z.string(), sha256: Sha256, from: z.string().optional(), package: z.string().optional() })),
  ),
  /** What could not be found out (e.g. no dpkg on this host). */
  notes: z.array(z.string()).default([]),
});
export type BuildInputs = z.infer<typeof BuildInputs>;
