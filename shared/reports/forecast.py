"""Load forecast: expected submissions per department per week for the next 8 weeks (D-268).

The model, deliberately simple (issue 16 asks for a documented one, backtested):

    expected(week) = rate × working_days(week) × season(week)

- `rate`: submissions per working day over the 8 whole weeks before the forecast starts
  (the level);
- `working_days(week)`: from the platform calendar, so a week with a public holiday or a
  make-up Saturday (调休) expects proportionally fewer or more;
- `season(week)`: when the history reaches back a year, the rate per working day of the
  same three weeks a year earlier over that of the 8 base weeks a year earlier (clipped to
  0.5–2); 1 otherwise.

`python -m shared.reports.forecast` backtests it on a generated two-year history and prints
the mean absolute percentage error (docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import shared.workdays.api as workdays

BASE_WEEKS = 8
HORIZON_WEEKS = 8
YEAR = dt.timedelta(weeks=52)
WEEK = dt.timedelta(weeks=1)
SEASON_CLIP = (0.5, 2.0)
MODEL = (
    "rate per working day over the 8 whole weeks before × working days of the week (platform calendar) "
    "× last year's seasonal ratio when a year of history exists (D-268)"
)

WeekWorkingDays = Callable[[dt.date], int]
"""Working days in the week starting on the given Monday."""


def week_working_days(working_days_between: Callable[[dt.date, dt.date], int]) -> WeekWorkingDays:
    return lambda monday: working_days_between(monday - dt.timedelta(days=1), monday + dt.timedelta(days=6))


def _rate(history: Mapping[dt.date, int], weeks: list[dt.date], working_days: WeekWorkingDays) -> float | None:
    days = sum(working_days(week) for week in weeks)
    return sum(history.get(week, 0) for week in weeks) / days if days else None


@dataclass(frozen=True)
class Forecast:
    weeks: list[tuple[dt.date, float]]
    seasonal: bool


def forecast(
    history: Mapping[dt.date, int], start: dt.date, working_days: WeekWorkingDays, weeks: int = HORIZON_WEEKS
) -> Forecast:
    """The `weeks` weeks from the Monday `start`, from the history (Monday → submissions) before it."""
    base = [start - WEEK * n for n in range(BASE_WEEKS, 0, -1)]
    rate = _rate(history, base, working_days) or 0.0
    first = min(history) if history else start
    seasonal = bool(history) and first <= base[0] - YEAR
    last_year_base = _rate(history, [week - YEAR for week in base], working_days) if seasonal else None
    seasonal = seasonal and bool(last_year_base)
    expected = []
    for n in range(weeks):
        week = start + WEEK * n
        factor = 1.0
        if seasonal and last_year_base:
            around = [week - YEAR + WEEK * k for k in (-1, 0, 1)]
            then = _rate(history, around, working_days)
            if then is not None:
                factor = min(max(then / last_year_base, SEASON_CLIP[0]), SEASON_CLIP[1])
        expected.append((week, round(rate * working_days(week) * factor, 1)))
    return Forecast(expected, seasonal)


# --- backtest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    mape: float
    by_horizon: list[float]
    forecasts: int


def backtest(series: Mapping[str, Mapping[dt.date, int]], working_days: WeekWorkingDays) -> Backtest:
    """Rolling origin: from every week with 8 weeks of history before it and 8 after, forecast
    those 8 and compare with what came; MAPE over the weeks with submissions."""
    errors: list[list[float]] = [[] for _ in range(HORIZON_WEEKS)]
    forecasts = 0
    for history in series.values():
        weeks = sorted(history)
        for index in range(BASE_WEEKS, len(weeks) - HORIZON_WEEKS + 1):
            start = weeks[index]
            known = {week: n for week, n in history.items() if week < start}
            predicted = forecast(known, start, working_days)
            forecasts += 1
            for horizon, (week, expected) in enumerate(predicted.weeks):
                actual = history.get(week, 0)
                if actual:
                    errors[horizon].append(abs(expected - actual) / actual)
    every = [e for horizon in errors for e in horizon]
    return Backtest(
        mape=round(100 * sum(every) / len(every), 1) if every else math.nan,
        by_horizon=[round(100 * sum(h) / len(h), 1) if h else math.nan for h in errors],
        forecasts=forecasts,
    )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(round(rng.gauss(mean, math.sqrt(mean))), 0)
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def generated_history(
    departments: Mapping[str, float], first: dt.date, last: dt.date, is_workday: Callable[[dt.date], bool], seed: int
) -> dict[str, dict[dt.date, int]]:
    """Weekly submissions per department (department → mean per working day): Poisson days, a
    tenth of the rate on rest days (online filing), a yearly swell (±15 %, highest in spring)."""
    rng = random.Random(seed)
    series: dict[str, dict[dt.date, int]] = {department: {} for department in departments}
    day = first - dt.timedelta(days=first.weekday())
    while day <= last:
        season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
        for department, mean in departments.items():
            rate = mean * season * (1.0 if is_workday(day) else 0.1)
            monday = day - dt.timedelta(days=day.weekday())
            series[department][monday] = series[department].get(monday, 0) + _poisson(rng, rate)
        day += dt.timedelta(days=1)
    return series


BACKTEST_DEPARTMENTS = {"js-market": 40.0, "nj-police": 12.0, "xw-civil": 4.0, "jn-market": 1.5}
"""Department → mean submissions per working day of the generated history (large to small)."""


def main() -> None:
    import argparse  # the backtest's command line only: not at every cold start (D-338)

    parser = argparse.ArgumentParser(description="Backtest the load forecast on a generated history (D-268).")
    parser.add_argument("--first", default="2024-12-02")
    parser.add_argument("--last", default="2026-11-29")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    calendar = workdays.Calendar()  # the packaged holiday arrangements
    working_days = week_working_days(lambda a, b: calendar.working_days_between(a, b).working_days)
    series = generated_history(
        BACKTEST_DEPARTMENTS,
        dt.date.fromisoformat(arguments.first),
        dt.date.fromisoformat(arguments.last),
        calendar.is_workday,
        arguments.seed,
    )
    result = backtest(series, working_days)
    print(f"forecasts: {result.forecasts} (origins × departments), horizon 1–8 weeks")
    print(f"MAPE: {result.mape} %")
    print("by horizon:", ", ".join(f"{n + 1}w {value} %" for n, value in enumerate(result.by_horizon)))
    for department, mean in BACKTEST_DEPARTMENTS.items():
        alone = backtest({department: series[department]}, working_days)
        print(f"  {department} ({mean}/working day): MAPE {alone.mape} %")


if __name__ == "__main__":
    main()
