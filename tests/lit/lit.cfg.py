"""lit configuration: FileCheck tests of mlc-opt, one file per pass or dialect."""

import os
import sys

import lit.formats

config.name = "mlc-dialects"  # noqa: F821 - `config` is injected by lit
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "Inputs"]

_python = sys.executable
_bin = os.path.dirname(_python)
_root = os.path.dirname(os.path.dirname(config.test_source_root))



def _tool(name: str, module: str) -> str:
    """The installed console script next to this Python, else the module (a checkout)."""
    script = os.path.join(_bin, name)
    return script if os.path.exists(script) else f"{_python} -m {module}"


config.substitutions.append(("%mlc-opt", _tool("mlc-opt", "mlc_dialects.tools.opt")))
config.substitutions.append(("%mlc-run", _tool("mlc-run", "mlc_dialects.tools.run")))
config.substitutions.append(("%filecheck", os.path.join(_bin, "filecheck")))
config.substitutions.append(("%python", _python))
config.substitutions.append(("%examples", os.path.join(_root, "examples")))
config.environment["PYTHONHASHSEED"] = "0"
