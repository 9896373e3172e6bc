"""Small charts as SVG coordinates, computed on the server: no chart library, no script.

Pure functions: numbers in, coordinates out; the templates draw them as inline SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

SPARK_W, SPARK_H = 120, 24
CHART_W, CHART_H = 320, 90
PAD = 4


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    points: str  # "x,y x,y ..." for <polyline points=...>
    dots: tuple[tuple[float, float, str], ...] = ()  # (x, y, tooltip) per data point


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    lines: tuple[Line, ...]
    top: int  # the largest value, for the axis label


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def sparkline(values: list[int], width: int = SPARK_W, height: int = SPARK_H) -> Chart:
    """Hits per day, oldest first, as one line; all zeros lie on the bottom edge."""
    top = max(values, default=0)
    n = max(len(values) - 1, 1)
    pts = []
    dots = []
    for i, v in enumerate(values):
        x = PAD + (width - 2 * PAD) * i / n
        y = height - PAD - (height - 2 * PAD) * (v / top if top else 0)
        pts.append(f"{_fmt(x)},{_fmt(y)}")
        if v:
            dots.append((round(x, 1), round(y, 1), str(v)))
    return Chart(width, height, (Line("hits", " ".join(pts), tuple(dots)),), top)


def growth(
    series: dict[str, list[tuple[float, int]]], width: int = CHART_W, height: int = CHART_H
) -> Chart:
    """How a story's counts grew: per event type, a step line through (time, highest count
    so far). The time axis spans the story's reports; one report is drawn in the middle."""
    times = [t for pts in series.values() for t, _ in pts]
    top = max((c for pts in series.values() for _, c in pts), default=0)
    if not times or not top:
        return Chart(width, height, (), top)
    t0, t1 = min(times), max(times)

    def xy(t: float, c: int) -> tuple[float, float]:
        # Room left and right, and above, for the value labels.
        x = width / 2 if t1 == t0 else 4 * PAD + (width - 8 * PAD) * (t - t0) / (t1 - t0)
        return x, height - PAD - (height - 5 * PAD) * c / top

    lines = []
    for label, pts in sorted(series.items()):
        coords: list[tuple[float, float]] = []
        dots = []
        for t, c in pts:
            x, y = xy(t, c)
            if coords:
                coords.append((x, coords[-1][1]))  # hold the last count until this report
            coords.append((x, y))
            dots.append((round(x, 1), round(y, 1), f"{label}: {c}"))
        if len(coords) == 1:  # one report: a short flat mark, visible on its own
            coords = [(coords[0][0] - 6, coords[0][1]), (coords[0][0] + 6, coords[0][1])]
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
        lines.append(Line(label, points, tuple(dots)))
    return Chart(width, height, tuple(lines), top)


def running_max(reports: list[tuple[float, dict[str, int]]]) -> dict[str, list[tuple[float, int]]]:
    """Per event type, the (time, count) points where the story's highest count rose, from
    reports of (time, {type: count}) in time order."""
    out: dict[str, list[tuple[float, int]]] = {}
    for t, counts in sorted(reports, key=lambda x: x[0]):
        for etype, c in counts.items():
            pts = out.setdefault(etype, [])
            if not pts or c > pts[-1][1]:
                pts.append((t, c))
    return out
