// One publish run: verify the stage, then each configured target in turn. Every target is
// idempotent, so a rerun after any failure sends only what is missing.
import type { Progress } from "../progress.js";
import { silentProgress } from "../progress.js";
import type { PublishAction, PublishReport, PublishTarget } from "../schema/publish.js";
import { addRelease } from "../site/store.js";
import { loadStage } from "../stage/stage.js";
import { publishConda, type CondaOptions } from "./conda.js";
import { publishGithub, type GithubOptions } from "./github.js";
import { publishPypi, type PypiOptions } from "./pypi.js";

export interface PublishTargets {
  github?: GithubOptions;
  pypi?: PypiOptions;
  index?: { root: string; baseUrl?: string; filesUrl?: string };
  conda?: Omit<CondaOptions, "checkpoint">;
}

interface PublishRunOptions {
  progress?: Progress;
  /** Called at each step (tests throw here to simulate a killed publisher). */
  checkpoint?: (point: string) => void;
  /** Reasons for targets that are not configured. */
  skipped?: Partial<Record<PublishTarget, string>>;
}

export async function publishRelease(stageDir: string, targets: PublishTargets, o: PublishRunOptions = {}): Promise<PublishReport> {
  const progress = o.progress ?? silentProgress;
  const cp = o.checkpoint;
  progress.stage("publish");
  progress.step("verify stage", 0);
  // Every byte is checked against the manifest before anything leaves the machine.
  const stage = await loadStage(stageDir);
  const version = stage.manifest.plan.version;
  const actions: PublishAction[] = [];
  const skippedTargets: Record<string, string> = { ...o.skipped };
  const order: PublishTarget[] = ["github", "pypi", "index", "conda"];
  let done = 0;
  for (const t of order) {
    progress.step(`${t} ${version}`, (100 * done++) / order.length);
    if (t === "github" && targets.github) actions.push(...(await publishGithub(stage, targets.github, { ...(cp ? { checkpoint: cp } : {}) })));
    else if (t === "pypi" && targets.pypi) actions.push(...(await publishPypi(stage, targets.pypi, { ...(cp ? { checkpoint: cp } : {}) })));
    else if (t === "index" && targets.index) {
      const { root, ...site } = targets.index;
      actions.push(...(await addRelease(root, stage, { ...site, ...(cp ? { checkpoint: cp } : {}), log: (l) => progress.info(l) })));
    } else if (t === "conda" && targets.conda) {
      const r = await publishConda(stage, { ...targets.conda, ...(cp ? { checkpoint: cp } : {}) });
      actions.push(...r.actions);
      for (const [id, why] of Object.entries(r.notBuilt)) skippedTargets[`conda:${id}`] = why;
    } else skippedTargets[t] ??= "not configured";
  }
  progress.step(`done ${version}`, 100);
  const sent = actions.filter((a) => a.action !== "skipped").length;
  progress.info(`published ${version}: ${sent} changes, ${actions.length - sent} already there`);
  return { version, actions, skippedTargets };
}
