"""Background imports during the engine's start-up: they load modules and never raise."""

from __future__ import annotations

import sys

from flows import warm


def test_start_imports_in_the_background_and_ignores_failures():
    sys.modules.pop("colorsys", None)
    thread = warm.start(("no_such_module_for_decoupling", "colorsys"))
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert "colorsys" in sys.modules  # the failure before it did not stop the rest
