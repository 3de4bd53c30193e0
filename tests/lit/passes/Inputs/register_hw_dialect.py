"""mlc-opt plugin for lit tests: load the `hw` dialect into mlc-opt's context.

Needed only until `mlc_dialects/context.py` lists `"hw": _ours("dialects.hw", "Hw")` in
OUR_DIALECTS; harmless afterwards. Plugins are imported before the context is built.
"""

from mlc_dialects import context

context.OUR_DIALECTS.setdefault("hw", context._ours("dialects.hw", "Hw"))  # noqa: SLF001
