// Runtime requirements of the `mlir` package, taken from the source tree being built so they
// always match that LLVM version: the "RUN dependencies" of mlir/python/requirements.txt, plus
// PyYAML (listed there under BUILD, but imported at run time by linalg's opdsl).
export function runtimeRequirements(requirementsTxt: string): string[] {
  const lines = requirementsTxt.split("\n");
  const out: string[] = [];
  let section: "build" | "run" | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (/^#\s*BUILD/i.test(line)) section = "build";
    else if (/^#\s*RUN/i.test(line)) section = "run";
    if (!line || line.startsWith("#")) continue;
    const req = line.replace(/\s+#.*$/, "").replace(/\s*,\s*/g, ",").replace(/\s*;\s*/, "; ");
    if (section === "run") out.push(req);
    else if (/^pyyaml\b/i.test(req)) out.push(req.replace(/,\s*<=?[^;]*/, ""));
  }
  return out;
}
