// Programs are files, not strings (issue 28): the Python a step runs, the Python a generated file
// starts with and the browser JavaScript of the dashboard live under containers/ (or src/site/assets/),
// where they are read, linted and reviewed as what they are. Read with the TypeScript compiler's own
// parser: every string literal and template of src/ (a template's ${…} parts read as a name), and
// every array of them (lines joined into one text), is checked for the statements of a program.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { SRC, srcFiles as sourceFiles } from "../support/src-files.js";


/** What makes a text a program of its language: a statement a sentence or a command line does not hold. */
const PROGRAM_SIGNS: ReadonlyArray<{ language: string; sign: RegExp }> = [
  // `import os`, `import json, sys`, `import mlir._runtime_libs as r;` (a sentence's "import the wheel" is not).
  { language: "Python", sign: /(?:^|[\n;])\s*import [A-Za-z_][\w.]*(?: as \w+)?(?:\s*,\s*[A-Za-z_][\w.]*(?: as \w+)?)*\s*(?:$|[;\n])/ },
  { language: "Python", sign: /(?:^|[\n;])\s*from [A-Za-z_.][\w.]* import [\w*(]/ },
  { language: "Python", sign: /(?:^|\n)\s*(?:def|class) [A-Za-z_]\w*\s*[(:]/ },
  { language: "Python", sign: /\bsys\.(?:path|argv)\b/ },
  { language: "JavaScript", sign: /\bdocument\.(?:querySelector|getElementById|addEventListener|createElement)\b|\baddEventListener\(/ },
  { language: "JavaScript", sign: /(?:^|[\n;{])\s*(?:function\s+[A-Za-z_$][\w$]*\s*\(|(?:const|let|var) [A-Za-z_$][\w$]* = )/ },
];

/** The text of a string-like literal, a template's substitutions read as `X`; undefined for anything else. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `X${s.literal.text}`).join("");
  return undefined;
}

export interface ProgramInString {
  file: string;
  line: number;
  language: string;
  text: string;
}

/** Every string, template or array of them in one source text that holds a program. */
export function programsInStrings(file: string, source: string): ProgramInString[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ProgramInString[] = [];
  const check = (node: ts.Node, text: string): boolean => {
    const hit = PROGRAM_SIGNS.find((p) => p.sign.test(text));
    if (hit) out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, language: hit.language, text: text.split("\n")[0]!.slice(0, 80) });
    return !!hit;
  };
  const visit = (node: ts.Node): void => {
    // Lines kept as an array of strings are one text (`[...].join("\n")`): checked as that text.
    if (ts.isArrayLiteralExpression(node) && node.elements.length > 1) {
      const texts = node.elements.map(literalText);
      if (texts.every((t) => t !== undefined) && check(node, texts.join("\n"))) return;
    }
    const text = literalText(node);
    if (text !== undefined) return void check(node, text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("programs are files, not strings in src/", () => {
  it("no string or template in src/ holds Python or browser JavaScript", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) => programsInStrings(`src/${f}`, readFileSync(join(SRC, f), "utf8")));
    expect(found.map((p) => `${p.file}:${p.line}: ${p.language}: ${p.text}`)).toEqual([]);
  });

  it("finds what it claims: the forms programs had in src/ before they became files", () => {
    const text = [
      // the lit site config's header, as lines of an array
      'const header = ["# Generated", "import os", "def path(p):", "    return os.path.abspath(p) if p else \'\'"].join("\\n");',
      // lit's main() as a one-line template with a substitution
      "const run = [python, \"-c\", `import sys; sys.path.insert(0, ${JSON.stringify(site)}); from lit.main import main; main()`];",
      // the rattler-build call, two lines of an array
      'const script = ["import sys, rattler_build", "rattler_build.build_recipes([sys.argv[1]], output_dir=sys.argv[2])"].join("\\n");',
      // a one-liner in a plain string
      'const q = "import mlir._runtime_libs as r; print(r.directory())";',
      // a browser script in a template
      "const page = `<script>document.getElementById('q').addEventListener('input', go);</script>`;",
    ].join("\n");
    expect(programsInStrings("f.ts", text).map((p) => `${p.line}:${p.language}`)).toEqual(["1:Python", "2:Python", "3:Python", "4:Python", "5:JavaScript"]);
  });

  it("leaves sentences, command lines and file names alone", () => {
    const text = [
      'const a = "the suite imports the installed wheel; from there on the wheel is tested";',
      "const b = `PYTHONPATH=build/python_packages/<your package> python -c 'import <your package>'`;",
      'const c = ["mlir/_release_info.py", "containers/verify/run_lit.py"];',
      "const d = `Python ${py}: lit ${rel} against the installed wheels`;",
    ].join("\n");
    expect(programsInStrings("g.ts", text)).toEqual([]);
  });
});
