"""How every command-line tool ends: the one place that maps outcomes to exit statuses.

    0    success (or what the tool returned)
    1    a user's mistake: located diagnostics on stderr (DiagnosticError), or an OS error
    2    a bug in mlc-dialects: the trace, asking for a report
    130  interrupted
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable


def run_tool(tool: str, body: Callable[[], int]) -> int:
    """Run a tool's `body`, turning every failure into a message and an exit status."""
    from mlc_dialects.diagnostics import DiagnosticError

    try:
        return body()
    except DiagnosticError as err:
        for d in err.diagnostics:
            sys.stderr.write(d.format() + "\n")
        return 1
    except OSError as err:
        sys.stderr.write(f"{tool}: error: {err}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - a bug in mlc-dialects, not the user's mistake
        sys.stderr.write(f"{tool}: internal error, please report it with this trace:\n")
        traceback.print_exc()
        return 2
