// Where the aggregate C API library's bytes go, from its link map.
//   cmake ... -DMLIR_RELEASE_LINK_MAP=<file>   (containers/bindings: the aggregate's -Wl,-Map)
//   npm run bench:size -- <map file> [--fine] [--top N]
import { readFileSync } from "node:fs";
import { coarseGroup, componentOf, composition, parseGnuLdMap } from "../src/wheels/size-composition.js";

const file = process.argv.slice(2).find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
if (!file) {
  process.stderr.write("usage: npm run bench:size -- <link map> [--fine] [--top N]\n");
  process.exit(2);
}
const topArg = process.argv.indexOf("--top");
const top = topArg >= 0 ? Number(process.argv[topArg + 1]) : 40;
const rows = composition(parseGnuLdMap(readFileSync(file, "utf8")), process.argv.includes("--fine") ? componentOf : coarseGroup);
const cols = [".text", ".rodata", ".eh_frame", ".data.rel.ro", ".gcc_except_table", ".data", "other"];
const mb = (n: number | undefined): string => ((n ?? 0) / 1e6).toFixed(1);
const total = rows.reduce((n, r) => n + r.total, 0);
process.stdout.write(`| component | ${cols.join(" | ")} | total MB | share |\n|---|${cols.map(() => "---|").join("")}---|---|\n`);
for (const r of rows.slice(0, top)) {
  process.stdout.write(`| ${r.group} | ${cols.map((c) => mb(r.bytes[c])).join(" | ")} | ${mb(r.total)} | ${((100 * r.total) / total).toFixed(1)} % |\n`);
}
process.stdout.write(`| all (${rows.length} groups) | ${cols.map((c) => mb(rows.reduce((n, r) => n + (r.bytes[c] ?? 0), 0))).join(" | ")} | ${mb(total)} | 100 % |\n`);
