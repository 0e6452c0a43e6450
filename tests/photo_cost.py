"""What one photo costs to store: `python -m tests.photo_cost FILE` prints the time and the
growth of the process's peak memory while contacts.photos handles FILE.

Run in a process of its own per photo, as peak memory only grows; tracemalloc would not
see Pillow's own allocations. The peak is the kernel's high-water mark of the process's
resident memory (Linux): getrusage's ru_maxrss would start at the parent's peak, which a
child keeps across exec.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

from contacts import photos


def peak_kib() -> int:
    """Return the most resident memory this process has had, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status: the photo costs are measured on Linux")


def cost(data: bytes) -> dict:
    """Return the time (ms) and peak memory growth (MiB) of storing ``data`` as a photo."""
    before = peak_kib()
    start = time.perf_counter()
    try:
        photos.process(io.BytesIO(data), len(data))
        refused = ""
    except photos.PhotoError as e:
        refused = str(e)
    elapsed = time.perf_counter() - start
    return {"ms": elapsed * 1000, "mib": (peak_kib() - before) / 1024, "refused": refused}


if __name__ == "__main__":
    print(json.dumps(cost(Path(sys.argv[1]).read_bytes())))
