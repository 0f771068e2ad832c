"""One conda recipe built with rattler-build through the py-rattler-build wheel's Python API (that
package has no command-line program), into a local channel folder that rattler-build indexes.

    python build_recipe.py <recipe.yaml> <output channel> <channel to resolve from> <target subdir>
"""
import sys

import rattler_build

rattler_build.build_recipes([sys.argv[1]], output_dir=sys.argv[2], channel=[sys.argv[3]], test="skip", target_platform=sys.argv[4], no_build_id=False)
