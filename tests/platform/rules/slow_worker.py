"""A ``jimu worker --drain`` whose first rule write hangs after it is done (not committed):
the test kills it there with ``kill -9``. Usage: slow_worker.py DATABASE_URL DATA_DIR MARKER."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from jimu.platform.cli.main import main
from jimu.platform.rules import execute

real_write = execute.carry_out_write


def hanging_write(*args: Any) -> dict[str, Any]:
    done = real_write(*args)
    Path(sys.argv[3]).write_text("written, not committed", encoding="utf-8")
    time.sleep(600)
    return done


execute.carry_out_write = hanging_write
sys.exit(main(["--database-url", sys.argv[1], "--data-dir", sys.argv[2], "worker", "--drain"]))
