"""Progress of file runs: a tqdm bar when tqdm is installed, nothing otherwise, or a callback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Union


@dataclass(frozen=True)
class Progress:
    """Where a file run stands, after its latest written block.

    Attributes
    ----------
    blocks_done, blocks_total : int
        Output blocks written, and in all.
    output_bytes_done, output_bytes_total : int
        Uncompressed output bytes written, and in all.
    bytes_written : int
        Compressed bytes on disk so far.
    seconds : float
        Time since the run started.
    """

    blocks_done: int
    blocks_total: int
    output_bytes_done: int
    output_bytes_total: int
    bytes_written: int
    seconds: float


ProgressArg = Union[bool, Callable[[Progress], None]]


class ProgressSink:
    """Forwards a run's progress to a callback, or to a tqdm bar of output bytes."""

    def __init__(self, progress: ProgressArg, label: str) -> None:
        self._callback: Optional[Callable[[Progress], None]] = None
        self._bar = None
        self._last: Optional[Progress] = None
        self._label = label
        if callable(progress):
            self._callback = progress
        elif progress:
            try:
                import tqdm  # noqa: F401  (optional)
            except ImportError:
                return
            self._callback = self._draw

    def update(self, state: Optional[dict]) -> None:
        """Passes on a progress state (a dict from the core) unless it is the last one seen."""
        if state is None or self._callback is None:
            return
        progress = Progress(**state)
        if progress == self._last:
            return
        self._last = progress
        self._callback(progress)

    def _draw(self, progress: Progress) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=progress.output_bytes_total,
                desc=self._label,
                unit="B",
                unit_scale=True,
                leave=False,
            )
        self._bar.update(progress.output_bytes_done - self._bar.n)

    def close(self) -> None:
        """Ends the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
