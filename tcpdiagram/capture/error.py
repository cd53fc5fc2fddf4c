"""The one error a capture can raise: what is wrong, where (byte offset), in which file."""

from __future__ import annotations

from ..errors import TcpDiagramError


class CaptureError(TcpDiagramError):
    """The capture cannot be read (not a capture, truncated, unsupported link type, a bad block): exit 1."""

    exit_code = 1

    def __init__(self, file: str, offset: int, message: str) -> None:
        self.file, self.offset, self.message = file, offset, message
        super().__init__(f"{file}: byte {offset}: {message}")

    def __reduce__(self) -> tuple[type[CaptureError], tuple[str, int, str]]:
        return CaptureError, (self.file, self.offset, self.message)  # raised again after crossing a process
