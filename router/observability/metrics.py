"""Prometheus metrics without prometheus_client: counters, gauges and histograms with bounded
label sets, rendered in the text exposition format (version 0.0.4).

Each metric caps its number of label combinations (`max_series`); past the cap, new
combinations are counted under the label value `other`, so a tenant label cannot explode.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from typing import TypeVar

LabelValues = tuple[str, ...]
M = TypeVar("M", bound="_Metric")
DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help: str, labels: Sequence[str] = (), max_series: int = 500):
        self.name = name
        self.help = help
        self.labels = tuple(labels)
        self.max_series = max_series

    def _key(self, values: LabelValues, store: dict[LabelValues, object]) -> LabelValues:
        if values in store or len(store) < self.max_series:
            return values
        return tuple("other" for _ in values)

    def _labels(self, values: LabelValues, extra: str = "") -> str:
        parts = [f'{n}="{_escape(v)}"' for n, v in zip(self.labels, values, strict=True)]
        if extra:
            parts.append(extra)
        return "{" + ",".join(parts) + "}" if parts else ""

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]

    def render(self) -> list[str]:
        raise NotImplementedError


class Counter(_Metric):
    kind = "counter"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.values: dict[LabelValues, float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        key = labels if labels in self.values else self._key(labels, self.values)  # type: ignore[arg-type]
        self.values[key] = self.values.get(key, 0.0) + amount

    def value(self, *labels: str) -> float:
        return self.values.get(labels, 0.0)

    def render(self) -> list[str]:
        return [
            *self.header(),
            *(f"{self.name}{self._labels(k)} {v:g}" for k, v in self.values.items()),
        ]


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.values: dict[LabelValues, float] = {}
        self.functions: dict[LabelValues, Callable[[], float]] = {}

    def set(self, value: float, *labels: str) -> None:
        self.values[self._key(labels, self.values)] = value  # type: ignore[arg-type]

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        key = self._key(labels, self.values)  # type: ignore[arg-type]
        self.values[key] = self.values.get(key, 0.0) + amount

    def dec(self, *labels: str, amount: float = 1.0) -> None:
        self.inc(*labels, amount=-amount)

    def set_function(self, function: Callable[[], float], *labels: str) -> None:
        """Read the value from `function` at scrape time (e.g. active subscriptions)."""
        self.functions[labels] = function

    def render(self) -> list[str]:
        values = dict(self.values)
        for labels, function in self.functions.items():
            values[labels] = float(function())
        return [*self.header(), *(f"{self.name}{self._labels(k)} {v:g}" for k, v in values.items())]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
        max_series: int = 500,
    ) -> None:
        super().__init__(name, help, labels, max_series)
        self.buckets = tuple(sorted(buckets))
        self.series: dict[LabelValues, list[float]] = {}  # bucket counts..., +Inf, sum

    def observe(self, value: float, *labels: str) -> None:
        series = self.series.get(labels)
        if series is None:
            key = self._key(labels, self.series)  # type: ignore[arg-type]
            series = self.series.setdefault(key, [0.0] * (len(self.buckets) + 2))
        series[bisect.bisect_left(self.buckets, value)] += 1
        series[-1] += value

    def count(self, *labels: str) -> int:
        series = self.series.get(labels)
        return int(sum(series[:-1])) if series else 0

    def render(self) -> list[str]:
        lines = self.header()
        for labels, series in self.series.items():
            cumulative = 0.0
            for bound, count in zip((*self.buckets, math.inf), series[:-1], strict=True):
                cumulative += count
                le = "+Inf" if bound == math.inf else f"{bound:g}"
                bucket_labels = self._labels(labels, 'le="' + le + '"')
                lines.append(f"{self.name}_bucket{bucket_labels} {cumulative:g}")
            lines.append(f"{self.name}_sum{self._labels(labels)} {series[-1]:g}")
            lines.append(f"{self.name}_count{self._labels(labels)} {cumulative:g}")
        return lines


class Registry:
    def __init__(self) -> None:
        self.metrics: list[_Metric] = []

    def counter(
        self, name: str, help: str, labels: Sequence[str] = (), max_series: int = 500
    ) -> Counter:
        return self._add(Counter(name, help, labels, max_series))

    def gauge(self, name: str, help: str, labels: Sequence[str] = ()) -> Gauge:
        return self._add(Gauge(name, help, labels))

    def histogram(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> Histogram:
        return self._add(Histogram(name, help, labels, buckets))

    def _add(self, metric: M) -> M:
        self.metrics.append(metric)
        return metric

    def render(self) -> str:
        lines: list[str] = []
        for metric in self.metrics:
            lines.extend(metric.render())
        return "\n".join(lines) + "\n"
