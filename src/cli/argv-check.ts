// Checks an argv (as the Dagger module builds it) against the CLI's real commander program: the
// command exists, every flag is one of that command's options (with a value where it takes one), and
// every required option is there. Returns the problems, one line each; empty means the CLI accepts it.
import type { Command, Option } from "commander";
import { didYouMean } from "../options/config.js";

export function checkCliArgv(program: Command, argv: readonly string[], entry = 2): string[] {
  let [name, ...rest] = argv.slice(entry);
  let cmd = program.commands.find((c) => c.name() === name);
  if (!cmd) return [`'${name ?? ""}' is not a command of ${program.name()} (commands: ${program.commands.map((c) => c.name()).join(", ")})`];
  // A command group (`downstream build`): the next word names the subcommand.
  while (cmd.commands.length) {
    const [sub, ...after] = rest;
    const next: Command | undefined = cmd.commands.find((c) => c.name() === sub);
    if (!next) return [`'${sub ?? ""}' is not a command of '${program.name()} ${name}' (commands: ${cmd.commands.map((c) => c.name()).join(", ")})`];
    name = `${name} ${sub}`;
    cmd = next;
    rest = after;
  }
  const problems: string[] = [];
  const longs = cmd.options.map((o) => o.long).filter((l): l is string => !!l);
  const seen = new Set<Option>();
  let positionals = 0;
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (!tok.startsWith("-")) {
      positionals++;
      continue;
    }
    const [flag, inline] = tok.includes("=") ? [tok.slice(0, tok.indexOf("=")), tok.slice(tok.indexOf("=") + 1)] : [tok, undefined];
    const opt = cmd.options.find((o) => o.long === flag || o.short === flag);
    if (!opt) {
      const near = didYouMean(flag, longs);
      problems.push(`${name}: ${flag} is not an option of '${program.name()} ${name}'${near ? ` (did you mean ${near}?)` : ""}`);
      if (inline === undefined && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith("-")) i++; // its value, most likely
      continue;
    }
    seen.add(opt);
    if (!opt.required && !opt.optional) continue; // a boolean flag
    if (inline !== undefined) continue;
    const next = rest[i + 1];
    if (opt.required && (next === undefined || next.startsWith("--"))) {
      problems.push(`${name}: ${flag} needs a value`);
      continue;
    }
    if (next !== undefined && !next.startsWith("--")) i++;
    if (opt.variadic) while (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith("-")) i++;
  }
  for (const o of cmd.options) if (o.mandatory && !seen.has(o)) problems.push(`${name}: the required option ${o.long} is missing`);
  const args = cmd.registeredArguments;
  const needed = args.filter((a) => a.required).length;
  if (positionals < needed || (!args.some((a) => a.variadic) && positionals > args.length)) {
    problems.push(`${name}: ${positionals} positional argument(s), '${program.name()} ${name}' takes ${needed === args.length ? needed : `${needed} to ${args.length}`}`);
  }
  return problems;
}
