// The commands run for their output (src/exec/command.ts) and the child PATH helper (src/exec/env.ts),
// on real programs: what each returns, and how each fails.
import { delimiter } from "node:path";
import { describe, expect, it } from "vitest";
import { commandBytesSync, commandOutput, commandOutputSync, commandResult, runCommand } from "../../src/exec/command.js";
import { pathFirst } from "../../src/exec/env.js";

describe("commands run for their output", () => {
  it("commandOutput returns stdout without its final newline; a failing command rejects naming it", async () => {
    expect(await commandOutput(["sh", "-c", "printf 'a\\nb\\n'"])).toBe("a\nb");
    expect(await commandOutput(["sh", "-c", 'printf "$X"'], { env: { X: "from env" } })).toBe("from env");
    await expect(commandOutput(["sh", "-c", "echo nope >&2; exit 3"])).rejects.toThrow(/exit code 3[\s\S]*nope/);
    await expect(runCommand(["sh", "-c", "exit 1"])).rejects.toThrow(/sh -c 'exit 1'|exit code 1/);
  });

  it("commandResult answers with the status instead of rejecting, stdout verbatim, stdin given", async () => {
    expect(await commandResult(["sh", "-c", "cat; echo err >&2; exit 7"], { input: "in\n" })).toEqual({ exitCode: 7, stdout: "in\n", stderr: "err\n" });
  });

  it("the synchronous forms: text and bytes", () => {
    expect(commandOutputSync(["printf", "x\n"])).toBe("x");
    const bytes = commandBytesSync(["printf", "\\001\\002"], 16);
    expect([...bytes]).toEqual([1, 2]);
    expect(() => commandBytesSync(["printf", "0123456789"], 4)).toThrow(/larger than 4 bytes/);
  });

  it("pathFirst puts the folder before this process's PATH", () => {
    expect(pathFirst("/tools/bin").PATH).toBe(`/tools/bin${delimiter}${process.env["PATH"] ?? ""}`);
  });
});
