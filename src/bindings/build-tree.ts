// The bindings stage: upstream's mlir/python built out of tree (containers/bindings) against an
// LLVM layer. One build directory per platform: the aggregate CAPI library and the generated
// sources are built once; switching Python reconfigures and rebuilds only the extensions.
// The commands (configure, ninja, install, strip) are steps of the platform's plan (the configure
// argv: src/platforms/plan-python.ts).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CompileCommand } from "../schema/compile-database.js";

/** Shared objects under dir (sorted): what a downstream build strips. */
export function sharedObjects(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (/\.(so(\.\d+)*|dylib|pyd|dll)$/.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Pure: the absolute input paths (compiled files, -I/-isystem/-iquote dirs) of a compile database
 * that no `-ffile-prefix-map=OLD=NEW` of their own command covers and that are not under one of
 * `fixedPrefixes` (paths that are the same on every host, such as /usr). Any such path can reach
 * the objects (__FILE__, debug info) and make the bytes depend on where the checkout is. Sorted.
 */
export function unmappedCompilePaths(db: readonly CompileCommand[], fixedPrefixes: readonly string[]): string[] {
  const under = (p: string, prefix: string): boolean => p === prefix || p.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
  const out = new Set<string>();
  for (const e of db) {
    const args = e.arguments ?? (e.command ?? "").split(/\s+/).filter(Boolean);
    const maps = args.filter((a) => a.startsWith("-ffile-prefix-map=")).map((a) => a.slice("-ffile-prefix-map=".length).split("=")[0]!);
    const inputs = [e.file];
    args.forEach((a, i) => {
      const m = /^-(I|isystem|iquote)(.*)$/.exec(a);
      if (m) inputs.push(m[2] || (args[i + 1] ?? ""));
    });
    for (const p of inputs) {
      const abs = p.startsWith("/") ? p : join(e.directory, p);
      if (maps.some((m) => m && under(abs, m)) || fixedPrefixes.some((f) => under(abs, f))) continue;
      out.add(abs);
    }
  }
  return [...out].sort();
}
