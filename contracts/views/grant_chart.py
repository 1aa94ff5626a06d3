"""An inline SVG bar chart of declared and observed use against the quota.

Drawn on the server: no chart library, nothing fetched by the browser.
"""

from django.utils import formats

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40

LABEL_FORMATS = {"day": "m-d", "week": "m-d", "month": "Y-m", "year": "Y", "total": "Y-m-d"}


def chart_geometry(rows: list[dict], quota: int | None, interval: str) -> dict:
    top_value = max([quota or 0] + [max(r["declared"], r["observed"]) for r in rows] + [1])
    scale_max = top_value * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)
    bar = max(min(slot * 0.38, 40), 2)

    def y(value):
        return TOP + plot_h - plot_h * value / scale_max

    bars = []
    for i, row in enumerate(rows):
        x0 = LEFT + i * slot + (slot - 2 * bar) / 2
        bars.append(
            {
                **row,
                "label": formats.date_format(row["start"], LABEL_FORMATS.get(interval, "Y-m-d")),
                "declared_x": round(x0, 1),
                "observed_x": round(x0 + bar, 1),
                "declared_y": round(y(row["declared"]), 1),
                "observed_y": round(y(row["observed"]), 1),
                "declared_h": round(TOP + plot_h - y(row["declared"]), 1),
                "observed_h": round(TOP + plot_h - y(row["observed"]), 1),
                "label_x": round(LEFT + i * slot + slot / 2, 1),
                "over": quota is not None and max(row["declared"], row["observed"]) > quota,
            }
        )
    ticks = [
        {"y": round(y(top_value * k / 4), 1), "value": formats.number_format(round(top_value * k / 4), force_grouping=True)}
        for k in range(5)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_x": WIDTH - RIGHT,
        "base_y": TOP + plot_h,
        "label_y": TOP + plot_h + 18,
        "bar_w": round(bar, 1),
        "bars": bars,
        "ticks": ticks,
        "quota_y": round(y(quota), 1) if quota is not None else None,
    }
