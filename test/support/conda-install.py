"""Install the named package files of a local conda channel into a fresh prefix, without a solver.

Usage: conda-install.py <channel> <subdir> <prefix> <cache-dir> <file>...
Prints a JSON list of the installed records. Exit: 0 installed, 1 install failed (traceback on stderr), 2 usage or a file not in the channel's repodata.

py-rattler's `install` resolves its asyncio future from a tokio thread that still drops Python objects
after `asyncio.run` has returned; racing the interpreter's teardown (its final GC), that killed the
process with SIGSEGV after the JSON was printed (7 of 100 runs here; 0 of 400 with os._exit). Once the work is done and the
answer flushed, the process ends with os._exit, skipping that teardown.
"""

import asyncio
import json
import os
import pathlib
import sys
import traceback

from rattler import Channel, RepoData, install


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print("usage: conda-install.py <channel> <subdir> <prefix> <cache-dir> <file>...", file=sys.stderr)
        return 2
    channel, subdir, prefix, cache, *files = argv
    records = RepoData.from_path(pathlib.Path(channel, subdir, "repodata.json")).into_repo_data(
        Channel(pathlib.Path(channel).as_uri())
    )
    chosen = [r for r in records if r.file_name in files]
    missing = sorted(set(files) - {r.file_name for r in chosen})
    if missing:
        print("error: not in the channel's repodata: " + ", ".join(missing), file=sys.stderr)
        return 2
    asyncio.run(
        install(chosen, target_prefix=prefix, cache_dir=pathlib.Path(cache), show_progress=False, execute_link_scripts=False)
    )
    answer = [
        {"name": r.name.normalized, "version": str(r.version), "build": str(r.build), "depends": [str(d) for d in r.depends]}
        for r in chosen
    ]
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
