// The size rules of src/ (issue 28): no file over 500 lines, no function body over 120 lines. Read
// with the TypeScript compiler's own parser, so a function is what the language says it is
// (declarations, methods, accessors, constructors, function expressions and arrow functions, nested
// ones measured on their own), and a failure names every offender as file:line:name:length.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { SRC, srcFiles as sourceFiles } from "../support/src-files.js";

const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 120;

/** Lines a node spans in its file, first and last line included. */
const linesOf = (sf: ts.SourceFile, node: ts.Node): number =>
  sf.getLineAndCharacterOfPosition(node.getEnd()).line - sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

/** The name a reader would search for: the declared name, else the variable, property or argument it is bound to. */
function functionName(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(sf).slice(0, 40)}>`;
  return "<anonymous>";
}

export interface LimitBreach {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** Every function body (and the file itself) of one source text that is over its limit. */
export function limitBreaches(file: string, text: string): LimitBreach[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: LimitBreach[] = [];
  const fileLines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
  if (fileLines > MAX_FILE_LINES) out.push({ file, line: 1, name: "(file)", lines: fileLines });
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const lines = linesOf(sf, fn.body!);
      if (lines > MAX_FUNCTION_LINES) {
        out.push({ file, line: sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line + 1, name: functionName(fn, sf), lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("code size limits of src/", () => {
  it(`no file over ${MAX_FILE_LINES} lines, no function body over ${MAX_FUNCTION_LINES} lines`, () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const breaches = files.flatMap((f) => limitBreaches(relative(join(SRC, ".."), join(SRC, f)), readFileSync(join(SRC, f), "utf8")));
    expect(breaches.map((b) => `${b.file}:${b.line}:${b.name}:${b.lines}`)).toEqual([]);
  });

  it("measures what it claims: a long arrow function, a long method and a long file are each named", () => {
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `  x += ${i};`).join("\n");
    const text = [
      "export const short = () => 1;",
      `export const long = (x: number) => {\n${body(119)}\n  return x;\n};`,
      `class C {\n  method(x: number) {\n${body(118)}\n    return x;\n  }\n}`,
      `run(function () {\n${body(130)}\n});`,
    ].join("\n");
    const found = limitBreaches("f.ts", text).map((b) => `${b.line}:${b.name}:${b.lines}`);
    // long: body is "{", 119 statements, "return", "}" = 122 lines; the method's 118 + 3 = 121 is over too.
    expect(found).toEqual(["2:long:122", "125:method:121", "247:<callback of run>:132"]);
    expect(limitBreaches("g.ts", `${body(120)}\n`)).toEqual([]);
    expect(limitBreaches("h.ts", `${body(501)}\n`)).toEqual([{ file: "h.ts", line: 1, name: "(file)", lines: 501 }]);
  });
});
