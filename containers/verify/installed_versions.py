"""Prints {distribution: installed version} of the distributions named as arguments, as one JSON line."""
import importlib.metadata as md
import json
import sys

print(json.dumps({d: md.version(d) for d in sys.argv[1:]}))
