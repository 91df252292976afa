"""Server-side line charts as SVG geometry: pure functions, no JavaScript."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 32, 12, 28


@dataclass
class Line:
    stage: str
    points: str  # "x,y x,y ..." for <polyline points>


@dataclass
class LineChart:
    width: int
    height: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    target_y: float | None
    left: int = LEFT
    right: int = WIDTH - RIGHT


def _nice_max(value: int) -> int:
    """The first of 4, 8, 20, 40, 80, 200, ... at or above value: quarters stay whole."""
    top, steps = 4, (2, 2.5, 2)
    index = 0
    while top < value:
        top = int(top * steps[index % 3])
        index += 1
    return top


def line_chart(months, stages, target: int | None, month_label=None) -> LineChart:
    """Lines of cumulated counts per month, with the target as a dashed line."""
    count = len(months)
    top = _nice_max(max([target or 0, 1] + [p.employees[s] for p in months for s in stages]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    lines = [
        Line(stage, " ".join(f"{x(i):.1f},{y(p.employees[stage])}" for i, p in enumerate(months)))
        for stage in stages
    ]
    # At most about eight month labels, or they run into each other.
    step = max(1, -(-count // 8))
    label = month_label or (lambda month: month.strftime("%Y-%m"))
    x_labels = [(x(i), label(p.month)) for i, p in enumerate(months) if i % step == 0]
    y_ticks = [(y(top * k // 4), top * k // 4) for k in range(5)]
    return LineChart(WIDTH, HEIGHT, lines, x_labels, y_ticks, y(target) if target else None)
