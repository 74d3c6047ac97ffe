"""Working-day calendar (工作日历) that every legal clock counts with.

行政许可法 第82条: time limits count working days — statutory holidays are
excluded and adjusted working weekends (调休上班日) are included. The
calendar is the `chinesecalendar` package for the years it covers, overridden
or extended by year arrangements (年度节假日安排) that operators load once the
State Council publishes them. A year with neither falls back to weekends-only
and every result touching it is marked provisional.

- `rules`      pure counting (`Calendar`, `add_working_days`, ...)
- `models`     the arrangement and result shapes
- `repository` arrangements in the catalogue table (pk `CALENDAR`, sk `<year>`)
- `service`    loading arrangements and computing deadlines
- `routes`     `/v1/calendar/{year}` and `/v1/deadlines`
- `load`       `python -m shared.workdays.load FILE`
"""
