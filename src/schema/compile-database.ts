// CMake's compile database (compile_commands.json) of the bindings build.
import { z } from "zod";

/** One entry of CMake's compile_commands.json (the bindings build's compile database). */
export const CompileCommand = z.object({
  directory: z.string(),
  command: z.string().optional(),
  arguments: z.array(z.string()).optional(),
  file: z.string(),
});
export type CompileCommand = z.infer<typeof CompileCommand>;
