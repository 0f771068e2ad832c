// Where the aggregate C API library's bytes go: a GNU ld / lld link map (-Wl,-Map=...) attributed
// to the archives the kept input sections came from, grouped into LLVM/MLIR components.
// Pure: text in, table out (bench/size-composition.ts prints it).

interface MapContribution {
  /** Output-section family: .text, .rodata, .eh_frame, .data.rel.ro, .data, other. */
  section: string;
  /** Archive base name (libLLVMAArch64CodeGen.a) or object file for loose objects. */
  archive: string;
  size: number;
}

const FAMILIES = [".text", ".rodata", ".eh_frame", ".data.rel.ro", ".gcc_except_table", ".data", ".bss"];
const family = (inputSection: string): string => {
  if (inputSection.startsWith(".debug")) return "debug";
  for (const f of FAMILIES) if (inputSection === f || inputSection.startsWith(`${f}.`)) return f;
  return "other";
};

const archiveOf = (file: string): string => {
  const a = /([^/]+\.a)\(/.exec(file);
  if (a) return a[1]!;
  const o = /([^/]+\.o)$/.exec(file.trim());
  return o ? `objects/${o[1]!}` : file.trim();
};

/** Parses the memory map part of a GNU ld map (the "Discarded input sections" part is skipped). */
export function parseGnuLdMap(text: string): MapContribution[] {
  const start = text.indexOf("Linker script and memory map");
  const body = start >= 0 ? text.slice(start) : text;
  const out: MapContribution[] = [];
  const lines = body.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // " .text._ZN4llvm3foo  0x00000000001234 0x40 /path/libX.a(obj.o)" or the name alone, wrapped.
    let m = /^ (\.[^\s]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(line);
    if (!m) {
      const name = /^ (\.[^\s]+)$/.exec(line);
      const next = lines[i + 1];
      const cont = next ? /^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(next) : null;
      if (name && cont) {
        m = [line, name[1]!, cont[1]!, cont[2]!] as unknown as RegExpExecArray;
        i++;
      }
    }
    if (!m) continue;
    const size = parseInt(m[2]!, 16);
    if (!size || /^load address|^\*\(/.test(m[3]!)) continue;
    out.push({ section: family(m[1]!), archive: archiveOf(m[3]!), size });
  }
  return out;
}

/** LLVM target backends (their CodeGen, Desc, Info, AsmParser, Disassembler, ... archives). */
const LLVM_TARGETS = [
  "AArch64", "AMDGPU", "ARM", "AVR", "BPF", "Hexagon", "Lanai", "LoongArch", "Mips", "MSP430", "NVPTX",
  "PowerPC", "RISCV", "Sparc", "SPIRV", "SystemZ", "VE", "WebAssembly", "X86", "XCore", "M68k", "Xtensa", "ARC", "CSKY", "DirectX",
] as const;

/** Component of an archive: "LLVM target X", "LLVM <lib>", "MLIR <area>", or the file. */
export function componentOf(archive: string): string {
  const llvm = /^libLLVM(.+)\.a$/.exec(archive);
  if (llvm) {
    const rest = llvm[1]!;
    const target = [...LLVM_TARGETS].sort((a, b) => b.length - a.length).find((t) => rest.startsWith(t));
    return target ? `LLVM target ${target}` : `LLVM ${rest}`;
  }
  const mlir = /^libMLIR(.+)\.a$/.exec(archive);
  if (mlir) return `MLIR ${mlir[1]!}`;
  if (archive.startsWith("objects/")) return "MLIR C API objects";
  return archive;
}

interface CompositionRow {
  group: string;
  bytes: Record<string, number>;
  total: number;
}

/** Sums contributions per group (default: componentOf), biggest first. */
export function composition(
  contributions: readonly MapContribution[],
  groupOf: (archive: string) => string = componentOf,
): CompositionRow[] {
  const rows = new Map<string, CompositionRow>();
  for (const c of contributions) {
    const g = groupOf(c.archive);
    const row = rows.get(g) ?? { group: g, bytes: {}, total: 0 };
    row.bytes[c.section] = (row.bytes[c.section] ?? 0) + c.size;
    // .bss takes no file bytes; debug info is stripped from the wheel's copy.
    if (c.section !== ".bss" && c.section !== "debug") row.total += c.size;
    rows.set(g, row);
  }
  return [...rows.values()].sort((a, b) => b.total - a.total || (a.group < b.group ? -1 : 1));
}

/** Coarse groups: every LLVM target backend, LLVM's other components, MLIR, the rest. */
export function coarseGroup(archive: string): string {
  const c = componentOf(archive);
  if (c.startsWith("LLVM target ")) {
    const t = c.slice("LLVM target ".length);
    return t === "X86" || t === "NVPTX" || t === "AMDGPU" ? `LLVM target ${t}` : "LLVM other targets";
  }
  if (c.startsWith("LLVM ")) return "LLVM (non-target)";
  if (c.startsWith("MLIR ")) return "MLIR";
  return "other (libstdc++ stubs, crt, ...)";
}
