"""Prints the installed mlir wheel's runtime library directory (mlir._runtime_libs.directory()): where
upstream's lit tests find %mlir_runner_utils, so they load the wheel's copies, never the layer's."""
import mlir._runtime_libs as r

print(r.directory())
