// Where a build reads its LLVM layer archives from, and the variable that carries the choice into a container.
import { z } from "zod";

/** The environment variable the CLI's build reads its LayerStoreSpec from (the Dagger module sets it in the container). */
export const LAYER_STORE_ENV = "MLIR_RELEASE_LAYER_STORE";
/** Where builds read LLVM layer archives from (MLIR_RELEASE_LAYER_STORE): the local store, or a layers release on GitHub. */
export const LayerStoreSpec = z.union([z.enum(["local", "github"]), z.string().regex(/^github:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "local | github | github:<owner>/<name>")]);
