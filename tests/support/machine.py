"""Facts about this machine and the CPU its processes use (Linux ``/proc``)."""

from __future__ import annotations

import math
import os
import platform
import re
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    cpus: int  # os.cpu_count()
    usable_cpus: int  # this process's affinity, what `nproc` prints
    cpu_model: str
    mem_gib: float
    python: str
    system: str
    kernel: str

    def describe(self) -> str:
        return (
            f"{self.cpus} CPUs ({self.cpu_model}), {self.mem_gib:.1f} GiB RAM, "
            f"{self.system} {self.kernel}, Python {self.python}"
        )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine() -> Machine:
    model = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.M)
    return Machine(
        cpus=os.cpu_count() or 1,
        usable_cpus=len(os.sched_getaffinity(0)),
        cpu_model=model.group(1).strip() if model else "unknown CPU",
        mem_gib=int(mem.group(1)) / 1024 / 1024 if mem else math.nan,
        python=platform.python_version(),
        system=platform.system(),
        kernel=platform.release(),
    )


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def rss_mb() -> float:
    """Resident memory of this process, MB."""
    for line in _read("/proc/self/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads); NaN when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class CpuWatch:
    """CPU use of some processes and of the machine over a window."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._t0 = time.monotonic()
        self._cpu0 = {n: proc_cpu_seconds(p) for n, p in pids.items()}
        self._m0 = machine_ticks()
        self.seconds: dict[str, float] = {}

    def stop(self) -> tuple[dict[str, float], float]:
        """Per process: CPU % of one core; and the machine's busy % of all cores. The CPU
        seconds per process stay in ``self.seconds``."""
        wall = time.monotonic() - self._t0
        self.seconds = {n: proc_cpu_seconds(p) - self._cpu0[n] for n, p in self.pids.items()}
        per = {n: 100 * v / wall if wall > 0 else math.nan for n, v in self.seconds.items()}
        busy, total = machine_ticks()
        busy_pct = 100 * (busy - self._m0[0]) / max(1, total - self._m0[1])
        return per, busy_pct

    def cpu_ms_per(self, prefix: str, n: int) -> float:
        """CPU milliseconds per item of the processes whose name starts with ``prefix``."""
        return 1000 * sum(v for k, v in self.seconds.items() if k.startswith(prefix)) / max(1, n)
