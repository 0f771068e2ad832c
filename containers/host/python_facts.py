"""Prints this interpreter's version and the nanobind it has installed ("" without one), as one JSON line."""
import json, platform, importlib.metadata as m
try:
    nb = m.version('nanobind')
except Exception:
    nb = ''
print(json.dumps({'version': platform.python_version(), 'nanobind': nb}))
