"""The loss curve of a run, drawn from its metrics log."""

from __future__ import annotations

import json
from pathlib import Path


def read_metrics(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError:  # a torn last line from a killed run
                continue
    return rows


def moving_average(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def loss_curve(metrics: Path, png: Path, title: str = "training loss") -> Path:
    """``png``: the per-step loss and its moving average against the step."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    rows = [r for r in read_metrics(metrics) if "loss" in r]
    steps = [r["step"] for r in rows]
    losses = [float(r["loss"]) for r in rows]
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    axes.plot(steps, losses, linewidth=0.8, alpha=0.4, label="loss")
    if losses:
        window = max(1, len(losses) // 20)
        axes.plot(steps, moving_average(losses, window), linewidth=1.6, label=f"mean of {window}")
    axes.set_xlabel("step")
    axes.set_ylabel("noise-prediction MSE")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(png)
    plt.close(figure)
    return png
