"""Prints the heavy dependencies that importing the modules named on the command line loads.

    python heavy_imports.py runreplay.plugin

`tests/test_dropin.py` runs it in a fresh interpreter, where nothing was imported before.
"""

from __future__ import annotations

import importlib
import sys

HEAVY = ("pydantic", "faker", "hypothesis", "yaml", "vcr")

for module in sys.argv[1:]:
    importlib.import_module(module)
print(sorted(name for name in sys.modules if name.split(".")[0] in HEAVY))
