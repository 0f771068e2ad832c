// What the downstream build reads from ninja (pure): a path's inputs (`-t query`), the check-*
// targets (`-t targets all`), and the lit suites a check target's command runs (`-t commands`).
/** `ninja -t query` output → the inputs of the queried path (explicit, implicit and order-only). */
export function parseNinjaQuery(text: string): { rule: string; inputs: string[] } {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^\s+input: /.test(l));
  if (at < 0) return { rule: "", inputs: [] };
  const rule = lines[at]!.replace(/^\s+input: /, "").trim();
  const inputs: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (/^\s+outputs:/.test(l) || /^\S/.test(l)) break;
    const name = l.trim().replace(/^\|\|?\s*/, "");
    if (name) inputs.push(name);
  }
  return { rule, inputs };
}

/** The custom command behind a check-* target (the one that runs lit), as ninja names it. */
export const isCheckCommand = (path: string, target: string): boolean => path === target || path.endsWith(`/${target}`);

/** The check-* targets of a build (`ninja -t targets all`), shortest first. */
export function checkTargets(targetsText: string): string[] {
  return [...new Set(targetsText.split("\n").map((l) => /^(check-[A-Za-z0-9_.-]+): phony$/.exec(l.trim())?.[1]).filter((x): x is string => !!x))].sort(
    (a, b) => a.length - b.length || (a < b ? -1 : 1),
  );
}

/**
 * The lit suites a check target's command runs (`ninja -t commands <target>`, last line): the
 * directories under the build tree named after lit in the last `&&` part, each once. CMake writes
 * `cd <build>/test && <python> <lit> -sv <build>/test`: the `cd` folder is not a second suite.
 */
export function litSuites(command: string, buildDir: string, isDir: (p: string) => boolean): string[] {
  const litPart = command.split("&&").at(-1) ?? "";
  const under = (tok: string): boolean => tok === buildDir || tok.startsWith(`${buildDir}/`);
  return [...new Set(litPart.trim().split(/\s+/).filter((tok) => under(tok) && isDir(tok) && !/(^|\/)bin(\/|$)/.test(tok.slice(buildDir.length))))];
}
