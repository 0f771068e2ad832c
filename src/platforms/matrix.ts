// The build matrix as the plan and the CI workflows need it, from the platform modules: one
// entry per (platform variant, ABI build) with its wheel tag, and one CI job per platform variant.
import { pythonMatrix } from "../plan/python-support.js";
import { chooseAbi, type AbiChoice, type LlvmAbiFacts } from "./abi.js";
import { allPlatformVariants } from "./index.js";
import type { Platform } from "./platform.js";
import { interpreterTags } from "./tags.js";
import type { MatrixEntry } from "../schema/release-plan.js";

interface CiJob {
  /** e.g. linux-aarch64-manylinux_2_28 */
  name: string;
  platform: Platform["id"];
  policy?: string;
  runsOn: string;
  /** containers/images.lock.json key of the image the job runs in (Linux) */
  image?: string;
  /** Pythons the job builds (3.Nt = free-threaded); abi3 builds list the interpreter that builds them */
  pythons: string[];
  abi: Pick<AbiChoice, "variant" | "reason">;
}

interface MatrixInput {
  llvm: LlvmAbiFacts;
  /** An explicit list for every platform; without it each platform's pythonMatrix at `date`. */
  pythons?: string[];
  /** The plan's date (default: today); only read without an explicit list. */
  date?: string | Date;
  platforms?: Platform[];
  cmakeVersion?: string;
}

function choiceFor(p: Platform, input: MatrixInput): AbiChoice {
  if (!input.pythons) {
    return pythonMatrix({ date: input.date ?? new Date(), llvm: input.llvm, platform: p, ...(input.cmakeVersion ? { cmakeVersion: input.cmakeVersion } : {}) }).abi;
  }
  return chooseAbi({
    llvm: input.llvm,
    pythons: input.pythons,
    runnerPythons: p.runner.pythons,
    ...(input.cmakeVersion ? { cmakeVersion: input.cmakeVersion } : {}),
  });
}

/** ReleasePlan.matrix entries: the published wheel tag of every build. */
export function matrixEntries(input: MatrixInput): MatrixEntry[] {
  return (input.platforms ?? allPlatformVariants()).flatMap((p) =>
    choiceFor(p, input).builds.map((b) => ({
      platform: p.id,
      python: b.python,
      abi: b.abi,
      tag: { ...interpreterTags(b.python, b.abi), platform: p.wheelPlatformTag() },
    })),
  );
}

/** One CI job per platform variant (what the workflows' matrix is generated from). */
export function ciJobs(input: MatrixInput): CiJob[] {
  return (input.platforms ?? allPlatformVariants()).map((p) => {
    const c = choiceFor(p, input);
    return {
      name: p.policy ? `${p.id}-${p.policy}` : p.id,
      platform: p.id,
      ...(p.policy ? { policy: p.policy } : {}),
      runsOn: p.runner.label,
      ...(p.runner.image ? { image: p.runner.image } : {}),
      pythons: c.builds.map((b) => b.python),
      abi: { variant: c.variant, reason: c.reason },
    };
  });
}
