// The platform this process runs on, as a PlatformId (promote, restore and downstream build on the host).
import { parseOrExplain } from "../schema/parse.js";
import { PlatformId } from "../schema/platform.js";

export const hostPlatform = (): PlatformId =>
  parseOrExplain(
    PlatformId,
    process.platform === "linux" ? (process.arch === "arm64" ? "linux-aarch64" : "linux-x86_64") : process.platform === "darwin" ? (process.arch === "arm64" ? "macos-arm64" : "macos-x86_64") : "windows-x64",
    "host platform",
  );
