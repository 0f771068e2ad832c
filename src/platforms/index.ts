import { InvalidInputError, type PlatformId } from "../schema.js";
import { linuxX86_64 } from "./linux-x86_64.js";
import type { Platform } from "./platform.js";

const modules: Partial<Record<PlatformId, Platform>> = {
  "linux-x86_64": linuxX86_64,
};

export function platformById(id: PlatformId): Platform {
  const p = modules[id];
  if (!p) throw new InvalidInputError(`platform ${id} has no module yet (known: ${Object.keys(modules).join(", ")})`);
  return p;
}
