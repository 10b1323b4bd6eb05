"""The project's own test configuration: pytester for plugin tests run from the outside."""

from __future__ import annotations

pytest_plugins = ["pytester"]
