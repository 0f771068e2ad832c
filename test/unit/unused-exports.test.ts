// Every export of src/ is imported somewhere (issue 28): an exported function, type or constant that
// no other file names is either dead or a file's private helper, and says neither. Read with the
// TypeScript compiler's own parser (no type check): the exports of each src/ file, and every import,
// re-export and dynamic import of src/, test/ and bench/ resolved to the file it names. A namespace
// import (`import * as m`) or a dynamic import uses all of a file's exports.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

/** Files whose exports are read by something other than an import: the Dagger module (its class and functions are its API), the CLI's bin. */
const ENTRY_POINTS: Readonly<Record<string, string>> = {
  "src/index.ts": "the Dagger module: dagger reads its exported class",
  "src/cli.ts": "the CLI's entry (bin/mlir-release.mjs)",
};

/**
 * Unused exports in folders this test's change could not edit (src/layer/, src/source/tree.ts: kept
 * as they were; src/packages/: issue 31's, in progress): no new one may appear there either.
 */
const KNOWN_ELSEWHERE: readonly string[] = [
  "src/layer/compiler-cache.ts: CompilerCacheScope",
  "src/layer/compiler-cache.ts: CompilerCache",
  "src/layer/compiler-cache.ts: CompilerCacheMissingError",
  "src/layer/github-store.ts: LAYER_RELEASE_TAG",
  "src/layer/github-store.ts: GithubLayerStoreOptions",
  "src/layer/github-store.ts: PushResult",
  "src/layer/layer.ts: SourceLayerOptions",
  "src/packages/conda.ts: PackageCondaContext",
  "src/packages/conda.ts: PackageCondaRecipe",
  "src/packages/index.ts: EnabledPackage",
  "src/packages/index.ts: PackageRecipe",
  "src/packages/index.ts: RecipeBuildContext",
  "src/packages/index.ts: RecipeCommand",
  "src/packages/index.ts: RecipeTestContext",
  "src/packages/index.ts: TestCounts",
  "src/packages/index.ts: PackageConfig",
  "src/packages/plan.ts: PackagePlanInput",
  "src/packages/plan.ts: packageDirs",
  "src/packages/recipe.ts: LayerRequirement",
  "src/packages/clang/recipe.ts: CLANG_SOURCE_PATHS",
  "src/source/tree.ts: BINDINGS_PATHS",
  "src/source/tree.ts: LAYER_PATHS",
  "src/source/tree.ts: TreeParts",
  "src/source/tree.ts: SourceOptions",
  "src/source/tree.ts: onlyMissingMembers",
  "src/source/tree.ts: DEBIAN_LLVM_23_1_1",
];
const elsewhere = (entry: string): boolean => /^src\/(layer\/|packages\/|source\/tree\.ts:)/.test(entry);

const tsFiles = (dir: string): string[] =>
  existsSync(join(ROOT, dir))
    ? readdirSync(join(ROOT, dir), { recursive: true })
        .map(String)
        .filter((f) => /\.(ts|mts)$/.test(f) && !f.endsWith(".d.ts") && !f.includes("node_modules"))
        .map((f) => join(dir, f))
    : [];

/** The names a source text exports (declarations, `export { a as b }`, default), without `export * from`. */
export function exportsOf(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    const exported = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isExportDeclaration(st)) {
      // `export { x } from "./y"` re-exports y's x under this file's name: an export of this file.
      if (st.exportClause && ts.isNamedExports(st.exportClause)) for (const e of st.exportClause.elements) out.push(e.name.text);
    } else if (ts.isExportAssignment(st)) out.push("default");
    else if (exported) {
      if (mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) out.push("default");
      else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) out.push(d.name.getText(sf));
      else if ("name" in st && st.name && ts.isIdentifier(st.name as ts.Node)) out.push((st.name as ts.Identifier).text);
    }
  }
  return out;
}

export interface ImportUse {
  /** The imported file, relative to the repository (`.js` read as `.ts`). */
  target: string;
  /** The names taken, or "*" for all of them. */
  names: string[];
}

/** What one source text imports from files of this repository (relative specifiers only). */
export function importsOf(file: string, text: string): ImportUse[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ImportUse[] = [];
  const target = (spec: string): string | undefined => {
    if (!spec.startsWith(".")) return undefined;
    const abs = resolve(ROOT, dirname(file), spec);
    // `./x.js` names x.ts, unless x.js itself is a source (src/plan/resolve-core.js).
    return relative(ROOT, existsSync(abs) ? abs : abs.replace(/\.js$/, ".ts"));
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const t = target(node.moduleSpecifier.text);
      const c = node.importClause;
      if (t && c) {
        const names: string[] = c.name ? ["default"] : [];
        if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.push("*");
        else if (c.namedBindings) for (const e of c.namedBindings.elements) names.push((e.propertyName ?? e.name).text);
        out.push({ target: t, names });
      }
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const t = target(node.moduleSpecifier.text);
      if (t) out.push({ target: t, names: node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements.map((e) => (e.propertyName ?? e.name).text) : ["*"] });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const t = target(node.arguments[0].text);
      if (t) out.push({ target: t, names: ["*"] });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      // `import("./x.js").Name` in a type position
      const t = target(node.argument.literal.text);
      if (t) out.push({ target: t, names: [node.qualifier && ts.isIdentifier(node.qualifier) ? node.qualifier.text : "*"] });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `file: name` of every export of `sources` that no file of `importers` (other than its own) imports. */
export function unusedExports(sources: ReadonlyMap<string, string>, importers: ReadonlyMap<string, string>): string[] {
  const used = new Map<string, Set<string>>();
  for (const [f, text] of importers) {
    for (const u of importsOf(f, text)) {
      if (u.target === f) continue;
      const set = used.get(u.target) ?? new Set<string>();
      for (const n of u.names) set.add(n);
      used.set(u.target, set);
    }
  }
  return [...sources].flatMap(([f, text]) => {
    const set = used.get(f);
    if (set?.has("*")) return [];
    return exportsOf(f, text)
      .filter((n) => !set?.has(n))
      .map((n) => `${f}: ${n}`);
  });
}

describe("every export of src/ is imported somewhere", () => {
  it("no export of src/ that nothing in src/, test/ or bench/ imports", () => {
    const read = (files: string[]) => new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
    const sources = read(tsFiles("src").filter((f) => !(f in ENTRY_POINTS)));
    expect(sources.size).toBeGreaterThan(100);
    const importers = read([...tsFiles("src"), ...tsFiles("test"), ...tsFiles("bench")]);
    const unused = unusedExports(sources, importers);
    expect(unused.filter((u) => !elsewhere(u))).toEqual([]);
    // Where the list is not emptied yet, it may only shrink.
    expect(unused.filter((u) => elsewhere(u) && !KNOWN_ELSEWHERE.includes(u))).toEqual([]);
  });

  it("finds what it claims: an export nobody imports, and not one imported by name, through a re-export, a namespace or import()", () => {
    const sources = new Map([
      ["src/a.ts", "export function used() {}\nexport const alsoUsed = 1;\nexport type Shape = { x: number };\nexport function unused() {}\nexport interface Lonely { y: string }\n"],
      ["src/b.ts", "export const viaNamespace = 1;\n"],
      ["src/c.ts", "export const viaDynamic = 1;\n"],
      ["src/d.ts", 'export { used as again } from "./a.js";\nexport const selfOnly = 1;\nconst x = selfOnly;\n'],
    ]);
    const importers = new Map([
      ...sources,
      ["test/t.ts", 'import { used, type Shape } from "../src/a.js";\nimport * as b from "../src/b.js";\nconst c = await import("../src/c.js");\nimport { again } from "../src/d.js";\n'],
      ["src/e.ts", 'import type { x } from "./nowhere.js";\nexport { alsoUsed } from "./a.js";\n'],
    ]);
    expect(unusedExports(sources, importers)).toEqual(["src/a.ts: unused", "src/a.ts: Lonely", "src/d.ts: selfOnly"]);
  });
});
