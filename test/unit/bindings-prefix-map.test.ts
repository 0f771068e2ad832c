import { describe, expect, it } from "vitest";
import { unmappedCompilePaths } from "../../src/bindings/build-tree.js";

// A compile database as CMake writes it for the bindings (fictitious checkout under /srv/co).
const maps = "-ffile-prefix-map=/srv/co/.cache/bld/b=/build -ffile-prefix-map=/srv/co/.cache/trees/t=/llvm-project";
const nb = "/srv/co/.cache/venvs/py3.12/lib/python3.12/site-packages/nanobind";
const entry = (extraMaps: string) => ({
  directory: "/srv/co/.cache/bld/b",
  command: `/usr/bin/c++ -I/usr/lib/llvm-22/include -I${nb}/ext/robin_map/include -isystem /opt/py/include/python3.12 -isystem ${nb}/include -Iinclude ${maps} ${extraMaps} -o x.o -c ${nb}/src/nb_internals.cpp`,
  file: `${nb}/src/nb_internals.cpp`,
});

describe("unmapped compile paths", () => {
  it("names the nanobind and interpreter dirs the old maps left out, and nothing once they are mapped", () => {
    expect(unmappedCompilePaths([entry("")], ["/usr"])).toEqual([
      "/opt/py/include/python3.12",
      `${nb}/ext/robin_map/include`,
      `${nb}/include`,
      `${nb}/src/nb_internals.cpp`,
    ]);
    const fixed = entry(`-ffile-prefix-map=${nb}=/nanobind -ffile-prefix-map=/opt/py/include/python3.12=/python/include`);
    expect(unmappedCompilePaths([fixed], ["/usr"])).toEqual([]);
    // a map must cover a whole path component, not a name prefix
    expect(unmappedCompilePaths([{ directory: "/srv/co/.cache/bld/b", arguments: ["c++", "-ffile-prefix-map=/srv/co/.cache/trees/t=/x", "-c", "/srv/co/.cache/trees/t2/a.cpp"], file: "/srv/co/.cache/trees/t2/a.cpp" }], ["/usr"])).toEqual([
      "/srv/co/.cache/trees/t2/a.cpp",
    ]);
  });
});
