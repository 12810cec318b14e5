"""The bench's output: one row per figure, shown as a table and kept as JSON for before/after."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Row:
    figure: str
    value: float | None
    """None when the figure could not be measured; `note` says why."""
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    """Whether the target holds; None where there is no target."""
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return self.note or "not measured"
        return f"{_number(self.value)} {self.unit}".strip()


@dataclass
class Figure:
    """The rows of one figure, and everything measured for it (kept in the JSON)."""

    rows: list[Row]
    data: dict = field(default_factory=dict)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _verdict(ok: bool | None) -> str:
    return {True: "[green]yes[/green]", False: "[red]NO[/red]", None: ""}[ok]


def render(console: Console, rows: list[Row], machine: str, baseline: dict[str, Row] | None = None) -> None:
    table = Table(title="samordna bench", caption=machine, caption_justify="left")
    table.add_column("figure")
    if baseline is not None:
        table.add_column("before", justify="right", style="dim")
    table.add_column("value", justify="right")
    table.add_column("target")
    table.add_column("ok?")
    for row in rows:
        before = [baseline[row.figure].shown() if row.figure in baseline else ""] if baseline is not None else []
        table.add_row(row.figure, *before, row.shown(), row.target, _verdict(row.ok))
    console.print(table)


def markdown(rows: list[Row], machine: str) -> str:
    """The table as Markdown, for the README."""
    verdicts = {True: "yes", False: "**no**", None: ""}
    lines = [f"Measured on: {machine}", "", "| figure | value | target | ok? |", "| --- | ---: | --- | --- |"]
    lines += [f"| {row.figure} | {row.shown()} | {row.target} | {verdicts[row.ok]} |" for row in rows]
    return "\n".join(lines) + "\n"


def write(path: Path, machine: dict, quick: bool, figures: dict[str, Figure]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "quick": quick,
        "rows": [asdict(row) for figure in figures.values() for row in figure.rows],
        "figures": {name: figure.data for name, figure in figures.items()},
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def read_rows(path: Path) -> dict[str, Row]:
    """The rows of an earlier run, by figure, to show beside this one."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {row["figure"]: Row(**row) for row in document["rows"]}
