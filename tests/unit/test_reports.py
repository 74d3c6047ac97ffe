"""Monthly operation reports (issue 16): figures from the monitoring counters of a generated
month, every format (CSV, JSON, HTML with SVG charts, PDF) showing the same numbers, public and
cached routes, paging, and nothing that names a person."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local import generated_month
from shared.platform.aws import count_calls
from shared.platform.events import Envelope
from shared.reports import analytics_service, store
from shared.reports.figures import build_report
from shared.reports.models import Report
from shared.reports.service import ReportsService
from shared.reports.supervision_source import SupervisionSource
from shared.supervision.api import MonitoringView
from tests.support.apigw import FakeContext, as_role, rest_event
from tests.support.handlers import load_function
from tests.support.template_tables import create_table_arguments
from tests.unit.monitoring_fixtures import deliver, generate, monitoring_cloud

BUCKET = "open-data-reports-test"
MONTH = "2026-11"
CASES = 60
"""The perf test's 1× (and 10×) month."""
GENERATED_CASES = 120
GENERATED_TICKETS = 40
REPORTS_TABLE = "reports-reports-test"


TICKETS = generated_month.generate_tickets(GENERATED_TICKETS)
HANDLERS = {"MonitoringWorkerFunction": "monitoring_worker", "AnalyticsWorkerFunction": "analytics_worker"}


def _invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = load_function(HANDLERS[function]).handler(event, FakeContext())
    return answer


@pytest.fixture(scope="module")
def month() -> Iterator[list[Any]]:
    """One generated month of cases and 12345 tickets loaded into the consumers that count them the
    way `python -m infra.local.generated_month` loads the local cloud (SQS batches to the monitoring
    and analytics workers); the reports published by the scheduled function for it."""
    with monitoring_cloud(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPEN_DATA_BUCKET", BUCKET)
        patch.setenv("PROVINCE_CODE", "320000")
        patch.setenv("REPORTS_TABLE", REPORTS_TABLE)  # the analytics store
        boto3.client("dynamodb").create_table(**create_table_arguments("ReportsTable", REPORTS_TABLE))
        boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        analytics_service.analytics.cache_clear()
        cases = generate(GENERATED_CASES)
        by_function = generated_month.deliveries(generated_month.envelopes_of(cases, TICKETS))
        # one batch each (the local cloud's run sends 100 a batch): summed row writes keep moto quick
        generated_month.load(_invoke, by_function, batch=1000, side_by_side=False)
        deliver(_ratings_and_orders())
        answer = load_function("report_publisher").handler({"month": MONTH}, FakeContext())
        assert answer["month"] == MONTH
        yield cases
        analytics_service.analytics.cache_clear()


def _other_event(event_type: str, source: str, day: int, **data: Any) -> dict[str, Any]:
    moment = dt.datetime(2026, 11, day, 2, tzinfo=dt.UTC)
    return Envelope(type=event_type, source=source, subject="s", time=moment, data=data).model_dump(mode="json")


def _ratings_and_orders() -> list[dict[str, Any]]:
    """In 玄武区's civil affairs bureau: two ratings (satisfied 4, very satisfied 5), a supervision
    order issued Monday 11-02 and replied Thursday 11-05 (3 working days), a rectification closed on time."""
    where = {"department_id": "xw-civil", "region_code": "320102", "label": "N-1"}
    rated = {"target_kind": "case", "target_id": "C-1", "month": MONTH, "revision": 1, "channel": "web", "bad": False}
    ratings = [
        _other_event("rating.given", "ratings", 10, rating_id=f"R-{level}", level=level, **rated, **where)
        for level in ("satisfied", "very_satisfied")
    ]
    order = {"order_id": "O-1", "subject_kind": "case", "subject_id": "C-1", "issued_by": "sup"}
    order |= {"holder_prefix": "3201", "level": "city", "due_on": "2026-11-09", **where}
    rectification = {"order_id": "Z-1", "rating_id": "R-1", "title": "t", "state": "closed", "version": 4}
    rectification |= {"visit_due_on": "2026-11-20", "answer_due_on": "2026-11-27", "answered_on_time": True}
    return [
        *ratings,
        _other_event("supervision.order_issued", "supervision", 2, version=1, state="open", **order),
        _other_event("supervision.order_replied", "supervision", 5, version=2, state="replied", **order),
        _other_event("rectification.closed", "ratings", 20, **rectification, **where),
    ]


def _file(region: str, name: str) -> bytes:
    found = store.get(store.report_key(MONTH, region, name))
    assert found is not None, name
    return found


def _api(method: str, path: str, **options: Any) -> dict[str, Any]:
    answer: dict[str, Any] = load_function("reports_api").handler(rest_event(method, path, **options), FakeContext())
    return answer


def _publish_counted(region: str) -> tuple[Counter[str], float]:
    started = time.perf_counter()
    with count_calls() as calls:
        ReportsService(SupervisionSource()).publish(region, MONTH)
    return calls, time.perf_counter() - started


# first in the file: it opens its own clouds, before the module's month fixture opens one
@pytest.mark.perf
def test_aws_calls_and_time_per_report_at_1x_and_10x_cases() -> None:
    """docs/performance.md: the same report over a month of N and of 10 N cases, same run."""
    figures = []
    for count in (CASES, CASES * 10):
        with monitoring_cloud(), pytest.MonkeyPatch.context() as patch:
            patch.setenv("OPEN_DATA_BUCKET", BUCKET)
            boto3.client("s3").create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
            )
            deliver([event for case in generate(count) for event in case.events], batch=1000)
            figures.append(_publish_counted("320000"))
    (small, small_s), (large, large_s) = figures
    print(f"PERF 1x {sum(small.values())} calls {small_s:.2f} s; 10x {sum(large.values())} calls {large_s:.2f} s")
    assert small == large


def test_ratings_orders_and_rectifications_are_in_the_report_of_the_region_and_above(month: list[Any]) -> None:
    for region in ("320102", "320100", "320000"):
        report = Report.model_validate_json(_file(region, "report.json"))
        figures = {h.key: h.value for h in report.headline}
        assert figures["ratings"] == 2
        assert figures["average_rating"] == 4.5
        assert figures["orders_received"] == 1
        assert figures["average_order_reply_working_days"] == 3.0
        assert (figures["rectifications_closed"], figures["rectification_on_time_rate"]) == (1, 1.0)
    assert {h.key: h.value for h in Report.model_validate_json(_file("320500", "report.json")).headline}["ratings"] == 0


def test_a_report_reads_the_counters_not_the_cases(month: list[Any]) -> None:
    calls, _ = _publish_counted("320100")
    # 13 month reads (the trend holds last month and the same month last year), the closed
    # scorecard, the 13 files, then the two catalogues from one listing each
    assert calls == Counter({"dynamodb.Query": 13, "dynamodb.GetItem": 1, "s3.PutObject": 15, "s3.ListObjectsV2": 2})


def test_the_monthly_run_reports_the_province_each_city_and_county_and_not_townships(month: list[Any]) -> None:
    catalog = store.month_catalog(MONTH)
    assert catalog is not None
    regions = [entry["dct:spatial"] for entry in catalog["dcat:dataset"]]
    assert regions == ["320000", "320100", "320102", "320115", "320500", "320505"]  # 320115001 is a township


def test_figures_are_the_counts_of_the_cases_of_the_region_and_below(month: list[Any]) -> None:
    for region in ("320000", "320100", "320115"):
        report = Report.model_validate_json(_file(region, "report.json"))
        mine = [case for case in month if case.region_code.startswith(region.rstrip("0") or region)]
        figures = {h.key: h.value for h in report.headline}
        assert figures["received"] == len(mine) > 0
        assert figures["completed"] == sum(1 for case in mine if case.completed_on)
        assert report.trend[-1].received == len(mine)
        assert len(report.trend) == 13
        assert sum(row.received for row in report.sub_regions) + sum(row.received for row in report.departments) == len(
            mine
        )
    province = Report.model_validate_json(_file("320000", "report.json"))
    assert {row.code for row in province.sub_regions} == {"320100", "320500"}


def test_changes_against_last_month_and_last_year_where_data_exists(month: list[Any]) -> None:
    real = SupervisionSource()

    class YearAgoSameAsNow(SupervisionSource):
        """The same month a year earlier had the same counts; the month before had none."""

        def month_view(self, region_code: str, wanted: str) -> MonitoringView:
            return real.month_view(region_code, MONTH if wanted == "2025-11" else wanted)

    report = build_report(YearAgoSameAsNow(), "320000", MONTH, store_time())
    received = next(h for h in report.headline if h.key == "received")
    assert received.last_year == received.value
    assert received.change_year == 0
    assert received.previous_month is None
    assert received.change_month is None
    assert report.trend[0].received == received.value  # the trend starts with the same month last year


def store_time() -> dt.datetime:
    return dt.datetime(2026, 12, 5, tzinfo=dt.UTC)


def test_csv_json_html_and_pdf_show_the_same_numbers(month: list[Any]) -> None:
    region = "320100"
    files = {name: _file(region, name) for name in store.FILES}
    assert generated_month.agreement(files) == []
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=files["report.pdf"], capture_output=True, check=True
    ).stdout.decode()
    assert "月度趋势" in pdf_text
    assert "部门考核排名" in pdf_text
    assert "见一次面办理占比" in pdf_text
    assert "12345 工单受理量" in pdf_text
    in_nanjing = sum(1 for case in month if case.region_code.startswith("3201"))
    headline = json.loads(files["headline.json"])["rows"][0]
    assert [headline["key"], headline["label"], headline["value"]] == ["received", "收件量", in_nanjing]
    # a changed figure is caught: the check is not vacuous
    files["headline.csv"] = files["headline.csv"].replace(",收件量,".encode(), ",收件量,1".encode(), 1)
    assert generated_month.agreement(files) == [
        "headline: the CSV is not the JSON",
        "headline: the page's table is not the CSV",
        f"headline: the PDF has no line with received's numbers ['1{in_nanjing}']",
    ]


def test_a_generated_month_through_the_consumers_shows_each_department_s_recount(month: list[Any]) -> None:
    """Acceptance 1 at small scale, as the local cloud's run checks it: every generated department's
    row (received, completed, 见一次面, 12345 tickets and reply time) equals its recount, and every
    region's formats agree."""
    wanted = generated_month.expected(month, TICKETS, MONTH)
    assert generated_month.check_reports(lambda key: store.get(key), MONTH, wanted) == []
    figures = {h.key: h.value for h in Report.model_validate_json(_file("320000", "report.json")).headline}
    answered = [t for t in TICKETS if t.answered_on]
    assert figures["tickets_received"] == len(TICKETS) > 0
    assert figures["tickets_answered"] == len(answered) > 0
    assert figures["tickets_closed"] == sum(1 for t in TICKETS if t.closed_on) > len(answered) // 2
    visit_once, no_visit = figures["visit_once_share"], figures["no_visit_share"]
    assert visit_once is not None
    assert no_visit is not None
    assert 0 < visit_once < 1 - no_visit
    rows = [row for rows in wanted.values() for row in rows.values()]
    assert any(row["visit_once_share"] for row in rows)
    assert any(row["average_ticket_answer_working_days"] for row in rows)


def test_the_analytics_store_holds_the_generated_month(month: list[Any]) -> None:
    """The same load fed the slow-step projection (its figures are checked in test_reports_analytics)."""
    steps = analytics_service.analytics().slow_steps("320102", MONTH)
    stays = sum(state.stays for group in steps.groups for state in group.states)
    left = sum(1 for case in month if case.region_code == "320102" and len(case.events) > 1)
    assert stays >= left > 0


def test_the_page_draws_the_charts_as_svg_and_the_pdf_embeds_its_font(month: list[Any]) -> None:
    page = _file("320000", "report.html").decode()
    assert page.count("<svg") == 3  # trend, departments, ranking
    fonts = subprocess.run(["pdffonts", "-"], input=_file("320000", "report.pdf"), capture_output=True, check=True)
    assert b"WenQuanYiMicroHei" in fonts.stdout
    assert b" yes " in fonts.stdout


def test_nothing_in_a_report_names_a_person_or_a_case(month: list[Any]) -> None:
    case_ids = {case.case_id for case in month}
    for region in ("320000", "320115"):
        for name in store.FILES:
            body = _file(region, name)
            text = body.decode("latin-1") if name.endswith(".pdf") else body.decode("utf-8-sig")
            assert not any(case_id in text for case_id in case_ids), name
            assert "subject" not in text, name
            assert not re.search(r"\b1[3-9]\d{9}\b|\b\d{17}[\dX]\b", text), name  # no phone, no ID number


def test_reports_are_public_cached_and_paged(month: list[Any]) -> None:
    first = _api("GET", "/v1/reports", resource="/v1/reports", query={"month": MONTH, "limit": "4"})
    assert first["statusCode"] == 200
    assert first["multiValueHeaders"]["Cache-Control"] == ["public, max-age=3600"]
    page = json.loads(first["body"])
    second = json.loads(
        _api("GET", "/v1/reports", query={"month": MONTH, "limit": "4", "cursor": page["next_cursor"]})["body"]
    )
    assert [e["region_code"] for e in page["items"] + second["items"]] == [
        "320000",
        "320100",
        "320102",
        "320115",
        "320500",
        "320505",
    ]
    assert second["next_cursor"] is None
    path = "/v1/reports/320100/2026-11/files/report.pdf"
    answer = _api(
        "GET",
        path,
        resource="/v1/reports/{region_code}/{month}/files/{name}",
        path_params={"region_code": "320100", "month": MONTH, "name": "report.pdf"},
    )
    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"]
    assert base64.b64decode(answer["body"]) == _file("320100", "report.pdf")
    missing = _api(
        "GET",
        "/v1/reports/320282/2026-11",
        resource="/v1/reports/{region_code}/{month}",
        path_params={"region_code": "320282", "month": MONTH},
    )
    assert missing["statusCode"] == 404
    assert json.loads(missing["body"])["code"] == "reports.report_not_found"
    catalog = json.loads(_api("GET", "/v1/reports/catalog")["body"])
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["dcat:catalog"][0]["dct:temporal"] == MONTH


def test_only_operators_generate_on_demand(month: list[Any]) -> None:
    where = {"resource": "/v1/reports/{region_code}/{month}", "path_params": {"region_code": "320500", "month": MONTH}}
    assert _api("POST", "/v1/reports/320500/2026-11", **where)["statusCode"] == 401
    staff = _api("POST", "/v1/reports/320500/2026-11", authorizer=as_role("staff"), **where)
    assert staff["statusCode"] == 403
    done = _api("POST", "/v1/reports/320500/2026-11", authorizer=as_role("operator"), **where)
    assert done["statusCode"] == 200
    assert json.loads(done["body"])["region_code"] == "320500"
    future = {"resource": where["resource"], "path_params": {"region_code": "320500", "month": "2099-01"}}
    later = _api("POST", "/v1/reports/320500/2099-01", authorizer=as_role("operator"), **future)
    assert later["statusCode"] == 400
    assert json.loads(later["body"])["code"] == "reports.invalid_month"
    # year 1: the report's comparisons would reach before the calendar begins (fuzz found a 500 there)
    ancient = {"resource": where["resource"], "path_params": {"region_code": "320500", "month": "0001-01"}}
    too_old = _api("POST", "/v1/reports/320500/0001-01", authorizer=as_role("operator"), **ancient)
    assert too_old["statusCode"] == 400
    assert json.loads(too_old["body"])["code"] == "reports.invalid_month"
