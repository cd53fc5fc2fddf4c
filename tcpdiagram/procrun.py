"""Run a system tool with a deadline that holds: on timeout (or Ctrl-C) its whole process group is killed."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence


def run(args: Sequence[str], data: bytes, timeout: float, env: Mapping[str, str]) -> subprocess.CompletedProcess[bytes]:
    """Like `subprocess.run(args, input=data, capture_output=True, timeout=timeout)`, but the tool runs in a
    session of its own, and a timeout kills the session's whole process group.

    subprocess.run kills only the child it started, then waits for its pipes to close: a wrapper script or a
    tool's helper process that keeps them open holds the call long past its timeout. Raises
    subprocess.TimeoutExpired and FileNotFoundError as subprocess.run does.
    """
    with subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(env), start_new_session=True) as proc:
        try:
            out, err = proc.communicate(data, timeout=timeout)
        except BaseException:  # the timeout, and Ctrl-C or SIGTERM reaching us: leave nothing running
            kill_group(proc)
            proc.communicate()  # the pipes close once the whole group is gone
            raise
    return subprocess.CompletedProcess(list(args), proc.returncode, out, err)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the group while its leader is not yet reaped (so its id cannot have been reused)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the child's pid
    except (ProcessLookupError, PermissionError):
        pass
