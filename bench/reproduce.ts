// Reproducibility check: the same inputs built in two fresh work dirs (different paths, different
// path lengths) must give byte-identical wheels. Prints sha256 per wheel and the first differing member.
//   npx tsx bench/reproduce.ts [--python 3.12]
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { defaultBuildSettings } from "../src/cli/build.js";
import { resolveOptions } from "../src/options/resolve.js";
import { buildWheels } from "../src/factory/factory.js";
import { HostEnv } from "../src/exec/host.js";
import { ConsoleProgress } from "../src/progress.js";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const cache = resolveOptions().cacheDir;
const i = process.argv.indexOf("--python");
const python = i >= 0 ? (process.argv[i + 1] ?? "3.12") : "3.12";

async function buildIn(name: string) {
  const work = join(cache, name);
  const out = join(REPO, "test-output", name);
  rmSync(work, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  const s = defaultBuildSettings({ python, out, work, cache });
  const report = await buildWheels(s, new HostEnv(join(work, "logs", "build.log")), new ConsoleProgress());
  return { out, report };
}

const a = await buildIn("repro-a");
const b = await buildIn("repro-bb-longer-path");
let same = true;
for (const [k, wa] of a.report.wheels.entries()) {
  const wb = b.report.wheels[k]!;
  const equal = wa.sha256 === wb.sha256;
  same &&= equal;
  let first = "";
  if (!equal) {
    const fa = unzipSync(readFileSync(join(a.out, wa.fileName)));
    const fb = unzipSync(readFileSync(join(b.out, wb.fileName)));
    first = Object.keys({ ...fa, ...fb }).sort().find((n) => !fa[n] || !fb[n] || Buffer.compare(Buffer.from(fa[n]), Buffer.from(fb[n])) !== 0) ?? "(zip structure)";
  }
  console.log(`${wa.fileName}: ${equal ? "EQUAL" : "DIFFERENT"} ${wa.sha256}${equal ? "" : ` vs ${wb.sha256}, first differing member: ${first}`}`);
}
process.exit(same ? 0 : 1);
