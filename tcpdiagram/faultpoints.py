"""Named points of a build where the fault tests stop it: `TCPDIAGRAM_TEST_PAUSE_AT=<point>` makes the build say
`paused at <point>` on stderr there and wait to be killed. Unset (always, outside the tests), a point costs a
dictionary look-up."""

from __future__ import annotations

import os
import sys
import time

PAUSE_AT = "TCPDIAGRAM_TEST_PAUSE_AT"
NO_EXCHANGE = "TCPDIAGRAM_TEST_NO_EXCHANGE"  # set: the swap takes its three-rename way, as without renameat2
POINTS = ("workdir", "pages", "site", "marker", "swap", "aside", "swapped", "done")


def reached(point: str) -> None:
    """Pause here for good if the tests asked for this point."""
    if os.environ.get(PAUSE_AT) == point:
        sys.stderr.write(f"paused at {point}\n")
        sys.stderr.flush()
        while True:
            time.sleep(3600)
