// Issue 14's taxonomy findings: "30 plain `throw new Error` in user-facing paths" and "cli.ts
// exits 1 for everything". No source file throws or rejects with a plain Error any more; each
// class carries its documented exit status and prints one `error:` line; HTTP failures of PyPI
// (plain fetch) leave as external-service errors naming the endpoint, like GitHub's.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CheckFailedError,
  ConflictError,
  EXIT,
  ExternalServiceError,
  formatError,
  httpStatusError,
  InternalError,
  InvalidInputError,
  NegativeAnswer,
  PathEscapeError,
  toReleaseError,
  UsageError,
} from "../../src/errors.js";
import { listIndexFiles, pypiToken } from "../../src/publish/pypi.js";

const SRC = join(new URL("../..", import.meta.url).pathname, "src");

describe("no plain Error reaches a user", () => {
  it("no file under src/ throws or rejects with a plain Error (every one is a ReleaseError subclass)", () => {
    const files = readdirSync(SRC, { recursive: true }).map(String).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(50);
    const hits = files.flatMap((f) =>
      readFileSync(join(SRC, f), "utf8")
        .split("\n")
        .flatMap((line, i) => (/\b(throw|reject\(|\?\?)\s*new Error\(/.test(line) || /reject\(new Error\(/.test(line) ? [`${relative(SRC, join(SRC, f))}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it("each class has its documented exit status and prints exactly one error: line (the stack only with --debug)", () => {
    const cases: Array<[Error, number]> = [
      [new UsageError("u"), 2],
      [new InvalidInputError("i"), 2],
      [new PathEscapeError("p"), 2],
      [new CheckFailedError("c"), 3],
      [new ConflictError("x"), 4],
      [new ExternalServiceError("e", "GitHub"), 5],
      [new InternalError("b"), 70],
      [new NegativeAnswer("n"), 1],
    ];
    for (const [e, status] of cases) {
      const r = toReleaseError(e);
      expect(r.exitCode, e.name).toBe(status);
      const text = formatError(r, false);
      expect(text.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
      expect(text).not.toMatch(/^\s+at /m);
      expect(formatError(r, true)).toMatch(/^\s+at /m);
    }
    expect(EXIT).toMatchObject({ usage: 2, badInput: 2, check: 3, conflict: 4, external: 5, internal: 70 });
    // A stray plain Error (a bug) is internal, 70, never 1.
    expect(toReleaseError(new Error("boom")).exitCode).toBe(EXIT.internal);
  });

  it("a missing PyPI token is bad input (exit 2), not an internal error", () => {
    expect(() => pypiToken({})).toThrow(InvalidInputError);
  });
});

describe("PyPI over plain fetch: external-service errors with the endpoint", () => {
  it("a repository where nothing listens: one line naming the URL, ECONNREFUSED and what to check", async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((r) => s.close(() => r()));
    const e = await listIndexFiles(`http://127.0.0.1:${port}/simple`, "Mlir_Python.Bindings").then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ExternalServiceError);
    const err = e as ExternalServiceError;
    expect(err.exitCode).toBe(EXIT.external);
    expect(err.message).toBe(
      `PyPI: listing Mlir_Python.Bindings failed: GET http://127.0.0.1:${port}/simple/mlir-python-bindings/ could not be reached (ECONNREFUSED, connection refused: nothing listens there); check the repository URL (publish.pypi) and the network`,
    );
  });

  it("an HTTP status names the service's own advice (PyPI's token, not GitHub's), without the query", () => {
    const e = httpStatusError("PyPI", "uploading x.whl", "POST", "https://upload.example/legacy/?sig=secret", 401);
    expect(e).toMatchObject({ status: 401, endpoint: "https://upload.example/legacy/", exitCode: EXIT.external });
    expect(e.message).toBe("PyPI: uploading x.whl failed: HTTP 401 from POST https://upload.example/legacy/; check the upload token (TWINE_PASSWORD / MLIR_RELEASE_PYPI_TOKEN)");
  });
});
