"""Public resource trading (issue 21, part 2): the legal minimum periods against hand-computed
examples with the platform calendar, notices refused with the rule named, access scoped to the
centre's region, credit checks on bidders, candidates and winners. In-process against moto."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.partners.credit_registry import CreditRegistrySimulator
from infra.template import ROOT
from shared.platform import aws
from shared.platform.clock import frozen_at
from shared.platform.config import reset_settings
from shared.platform.partner_http import partner_secret
from shared.trading import api as trading
from shared.trading.config import PERIOD_RULES
from shared.trading.credit import credit_platform
from shared.trading.periods import shortfalls
from shared.trading.service import trading_service
from shared.workdays.api import Calendar
from tests.support.api import call, invoke
from tests.support.apigw import as_role
from tests.support.template_tables import create_table_arguments

NANJING_CENTRE = as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5XT1", region_code="320100")
SUZHOU_CENTRE = as_role("operator", sub="01JDQ90F3W7C8M2T6R4K9N5XT3", region_code="320500")
NANJING_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XT4", region_code="320100")
SUZHOU_SUPERVISOR = as_role("supervisor", sub="01JDQ90F3W7C8M2T6R4K9N5XT5", region_code="320500")
AGENT = as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5XT6", acting_for="91320102MA1W8K3R68", scope="cases")
LISTED_AGENT = as_role("agent", sub="01JDQ90F3W7C8M2T6R4K9N5XT7", acting_for="91320505MA27QH4N9H", scope="cases")
CITIZEN = as_role("citizen", sub="01JDQ90F3W7C8M2T6R4K9N5XT8")
MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)  # 10:00 in Nanjing
CAL = Calendar()
TENDER: dict[str, Any] = {
    "kind": "works_tender",
    "title": "江宁区某道路改造工程施工招标",
    "region_code": "320115",
    "content": "招标范围：道路改造工程施工",
    "documents_from": "2026-09-21",
    "bid_deadline": "2026-10-11",
}


SECRET = "credit-platform-test-secret"


def _forget() -> None:
    reset_settings()
    aws.reset_clients()
    partner_secret.cache_clear()
    credit_platform.cache_clear()
    trading_service.cache_clear()


@pytest.fixture
def registry() -> Iterator[CreditRegistrySimulator]:
    """The moto cloud and the credit platform's simulator, wired as the function wires it."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_arguments("TradingTable", "trading-test"))
        dynamodb.create_table(**create_table_arguments("CatalogTable", "catalog-test"))
        boto3.client("s3").create_bucket(
            Bucket="open-data-test", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        arn = boto3.client("secretsmanager").create_secret(Name="dsp", SecretString=SECRET)["ARN"]
        partner = CreditRegistrySimulator(secret=SECRET.encode())
        patch.setenv("TRADING_TABLE", "trading-test")
        patch.setenv("CATALOG_TABLE", "catalog-test")
        patch.setenv("OPEN_DATA_BUCKET", "open-data-test")
        patch.setenv("CREDIT_QUERY_URL", partner.serve())
        patch.setenv("CREDIT_QUERY_SECRET_ARN", arn)
        patch.setenv("PARTNER_BREAKER_FAILURES", "2")
        _forget()
        trading.wire(credit=credit_platform())
        try:
            with frozen_at(MONDAY):
                yield partner
        finally:
            partner.stop()
            _forget()


@pytest.fixture
def cloud(registry: CreditRegistrySimulator) -> None:
    """The same, for tests that do not steer the simulator."""


# --- periods, by hand ----------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_works_tender_needs_twenty_calendar_days_from_documents_to_bids() -> None:
    # 2026-09-21 + 20 days = 2026-10-11 (the National Day holiday counts: calendar days)
    assert shortfalls("works_tender", {"documents_from": d("2026-09-21"), "bid_deadline": d("2026-10-11")}, CAL) == []
    [short] = shortfalls("works_tender", {"documents_from": d("2026-09-21"), "bid_deadline": d("2026-10-10")}, CAL)
    assert (short.rule.rule_id, short.days, short.earliest_end) == ("works_tender.bid_period", 19, d("2026-10-11"))
    assert short.rule.source == "《中华人民共和国招标投标法》第二十四条"


def test_a_land_listing_needs_ten_working_days_on_the_platform_calendar() -> None:
    # from Mon 2026-09-28 (not counted): 29, 30 Sep (2); 1–7 Oct National Day; 8, 9 Oct (4); Sat 10 Oct
    # is a 调休 working day (5); 12–16 Oct (10) → 2026-10-16. Weekends-only counting would say 10-12.
    dates = {"published_on": d("2026-09-20"), "listing_from": d("2026-09-28"), "bid_deadline": d("2026-10-16")}
    assert shortfalls("land_transfer", dates, CAL) == []
    [short] = shortfalls("land_transfer", dates | {"bid_deadline": d("2026-10-15")}, CAL)
    assert (short.rule.rule_id, short.days, short.earliest_end) == ("land_transfer.listing_period", 9, d("2026-10-16"))


def test_candidates_publicity_is_three_days_and_every_rule_names_its_source() -> None:
    dates = {"candidates_published_on": d("2026-09-21"), "publicity_until": d("2026-09-23")}
    [short] = shortfalls("works_tender", dates, CAL)
    assert (short.days, short.earliest_end) == (2, d("2026-09-24"))
    assert all(rule.source.startswith("《") and rule.min_days > 0 for rule in PERIOD_RULES)


# --- notices over HTTP -----------------------------------------------------------------------


def test_a_too_short_tender_is_refused_naming_the_rule_and_its_source(cloud: None) -> None:
    reply = call("POST", "/v1/trading/notices", NANJING_CENTRE, body=TENDER | {"bid_deadline": "2026-10-10"})
    assert (reply.status, reply.code) == (422, "trading.period_too_short")
    assert "招标投标法》第二十四条" in reply.body["message"]
    assert "2026-10-11" in reply.body["message"]
    english = call(
        "POST",
        "/v1/trading/notices",
        NANJING_CENTRE,
        body=TENDER | {"bid_deadline": "2026-10-10"},
        headers={"Accept-Language": "en"},
    )
    assert "works_tender.bid_period" in english.body["message"]
    sample = json.loads((ROOT / "events" / "trading_api" / "notice-publish-too-short.json").read_text())
    assert invoke(sample).code == "trading.period_too_short"


def test_a_centre_publishes_for_its_own_region_only_and_the_list_is_public(cloud: None) -> None:
    assert call("POST", "/v1/trading/notices", SUZHOU_CENTRE, body=TENDER).status == 403
    assert call("POST", "/v1/trading/notices", CITIZEN, body=TENDER).status == 403
    published = call("POST", "/v1/trading/notices", NANJING_CENTRE, body=TENDER)
    assert published.status == 201, published.body
    listed = call("GET", "/v1/trading/notices", query={"region_code": "320100"})
    assert [n["title"] for n in listed.body["items"]] == [TENDER["title"]]
    assert call("GET", "/v1/trading/notices", query={"region_code": "320500"}).body["items"] == []
    by_kind = call("GET", "/v1/trading/notices", query={"region_code": "320100", "kind": "works_tender"}).body
    assert [n["title"] for n in by_kind["items"]] == [TENDER["title"]]
    assert call("GET", "/v1/trading/notices", query={"kind": "land_transfer"}).body["items"] == []
    assert call("GET", "/v1/trading/notices", query={"kind": "shares"}).status == 422
    assert "bidders" not in call("GET", f"/v1/trading/notices/{published.body['notice_id']}").body


def test_listed_parties_are_flagged_and_cannot_win(cloud: None) -> None:
    notice_id = call("POST", "/v1/trading/notices", NANJING_CENTRE, body=TENDER).body["notice_id"]
    assert call("POST", f"/v1/trading/notices/{notice_id}/interest", AGENT).status == 200
    assert call("POST", f"/v1/trading/notices/{notice_id}/interest", LISTED_AGENT).status == 200
    assert call("POST", f"/v1/trading/notices/{notice_id}/interest", CITIZEN).code == "trading.agent_required"
    path = f"/v1/trading/notices/{notice_id}"
    short = call(
        "POST",
        f"{path}/candidates",
        NANJING_CENTRE,
        body={"candidates": ["91320102MA1W8K3R68"], "publicity_until": "2026-09-23"},
    )
    assert (short.status, short.code) == (422, "trading.period_too_short")
    candidates = {"candidates": ["91320505MA27QH4N9H", "91320102MA1W8K3R68"], "publicity_until": "2026-09-24"}
    assert call("POST", f"{path}/candidates", NANJING_CENTRE, body=candidates).status == 200
    blocked = call("POST", f"{path}/result", NANJING_CENTRE, body={"winner_uscc": "91320505MA27QH4N9H"})
    assert (blocked.status, blocked.code) == (409, "trading.listed_party")
    assert "失信被执行人名单" in blocked.body["message"]
    early = call("POST", f"{path}/result", NANJING_CENTRE, body={"winner_uscc": "91320102MA1W8K3R68"})
    assert (early.status, early.code) == (409, "trading.publicity_running")
    flags = call("GET", f"{path}/flags", NANJING_SUPERVISOR).body["flags"]
    assert [(f["uscc"], f["stage"]) for f in flags] == [
        ("91320505MA27QH4N9H", "open"),
        ("91320505MA27QH4N9H", "candidates"),
    ]
    assert call("GET", f"{path}/flags", SUZHOU_SUPERVISOR).status == 404
    with frozen_at(MONDAY + dt.timedelta(days=4)):
        won = call("POST", f"{path}/result", NANJING_CENTRE, body={"winner_uscc": "91320102MA1W8K3R68"})
    assert (won.status, won.body["stage"], won.body["winner_uscc"]) == (200, "awarded", "91320102MA1W8K3R68")
    # the result is in the public results list and in the city's open data (JSON, CSV, DCAT)
    results = call("GET", "/v1/trading/results", query={"region_code": "320115"}).body["items"]
    assert [(r["notice_id"], r["winner_uscc"]) for r in results] == [(notice_id, "91320102MA1W8K3R68")]
    assert call("GET", "/v1/trading/results", query={"region_code": "320500"}).body["items"] == []
    csv_file = call("GET", "/v1/trading/open-data/320100/results.csv")
    assert csv_file.headers["Cache-Control"] == "public, max-age=3600"
    header, row = csv_file.body.strip().splitlines()
    assert header.startswith("notice_id,kind,title")
    assert notice_id in row
    assert "91320505MA27QH4N9H;91320102MA1W8K3R68" in row  # the candidates, ranked; no bidders or flags
    catalog = call("GET", "/v1/trading/open-data/catalog").body
    assert [d["dct:spatial"] for d in catalog["dcat:dataset"]] == ["320100"]
    missing = call("GET", "/v1/trading/open-data/320500/results.json")
    assert (missing.status, missing.code) == (404, "trading.open_data_not_found")


def test_no_party_is_taken_as_clean_when_the_credit_platform_cannot_answer(
    registry: CreditRegistrySimulator,
) -> None:
    notice_id = call("POST", "/v1/trading/notices", NANJING_CENTRE, body=TENDER).body["notice_id"]
    registry.fail_status = 502
    refused = call("POST", f"/v1/trading/notices/{notice_id}/interest", AGENT)
    assert (refused.status, refused.code) == (503, "trading.credit_unavailable")
    assert refused.headers["Retry-After"] == "30"
    assert call("GET", f"/v1/trading/notices/{notice_id}").body["stage"] == "open"
    registry.fail_status = None
    # the platform lists a party the seed did not: the next check finds it (asked each time, not cached)
    registry.listed["91320102MA1W8K3R68"] = [
        {"list": "重大税收违法失信主体名单", "authority": "税务", "listed_on": "2026-09-01"}
    ]
    assert call("POST", f"/v1/trading/notices/{notice_id}/interest", AGENT).status == 200
    flags = call("GET", f"/v1/trading/notices/{notice_id}/flags", NANJING_SUPERVISOR).body["flags"]
    assert [(f["uscc"], f["lists"]) for f in flags] == [("91320102MA1W8K3R68", ["重大税收违法失信主体名单"])]
    signed = registry.requests[-1]
    assert (signed.path, signed.body) == ("/v1/credit/listings/query", {"uscc": "91320102MA1W8K3R68"})
    assert signed.headers["x-jszw-signature"].startswith("hmac-sha256=")


def test_the_seed_has_every_stage_and_the_listed_candidate_cannot_be_named(cloud: None) -> None:
    from infra.seed import trading as seed

    assert seed.load_trading(trading_service()) == {"trading_notices": 5}
    assert seed.load_trading(trading_service()) == {"trading_notices": 0}  # a second run writes nothing
    stages = {n["notice_id"]: n["stage"] for n in call("GET", "/v1/trading/notices").body["items"]}
    assert sorted(stages.values()) == ["awarded", "candidates", "open", "open", "open"]
    path = f"/v1/trading/notices/{seed.IN_PUBLICITY}/result"
    blocked = call("POST", path, NANJING_CENTRE, body={"winner_uscc": seed.LISTED_BIDDER})
    assert (blocked.status, blocked.code) == (409, "trading.listed_party")
    assert "重大税收违法失信主体名单" in blocked.body["message"]
    sample = json.loads((ROOT / "events" / "trading_api" / "result-listed-winner.json").read_text())
    assert invoke(sample).code == "trading.listed_party"  # the sample acts on the seeded notice
    [awarded] = call("GET", "/v1/trading/results", query={"region_code": "320115"}).body["items"]
    assert awarded["notice_id"] == seed.AWARDED
    assert seed.AWARDED in call("GET", "/v1/trading/open-data/320100/results.csv").body


def test_an_unanswered_12345_complaint_holds_the_result_until_it_is_answered(cloud: None) -> None:
    from infra.seed import trading as seed
    from tests.support.apigw import FakeContext
    from tests.support.handlers import load_function, sqs_event

    seed.load_trading(trading_service())
    sample = json.loads((ROOT / "events" / "trading_worker" / "sqs-ticket-opened.json").read_text())
    opened = json.loads(sample["Records"][0]["body"])["detail"]
    first = opened | {"data": opened["data"] | {"ticket_id": "01JDQ9A00000000000000TK002", "number": "12345418"}}
    answered = first | {"id": "01M8A4XP5SJT101EYDR9TPAYT2", "type": "ticket.answered"}
    elsewhere = opened | {"id": "01M8A4XP5SJT101EYDR9TPAYT3", "data": opened["data"] | {"link_notice_id": None}}
    worker = load_function("trading_worker")
    # a first complaint's answer arrives before its opening, which comes twice (the queue reorders and
    # repeats): kept once, answered; a ticket naming no notice changes nothing
    batch = sqs_event([answered, first, first, elsewhere], queue="TradingComplaintsQueue")
    assert worker.handler(batch, FakeContext()) == {"batchItemFailures": []}
    assert [c.answered for c in trading_service().notice(seed.IN_PUBLICITY).complaints] == [True]
    assert worker.handler(sample, FakeContext()) == {"batchItemFailures": []}  # the sample: a second complaint
    later = {"winner_uscc": seed.CLEAN_BIDDER}
    with frozen_at(MONDAY + dt.timedelta(days=400)):  # long after the publicity
        held = call("POST", f"/v1/trading/notices/{seed.IN_PUBLICITY}/result", NANJING_CENTRE, body=later)
        assert (held.status, held.code) == (409, "trading.complaint_pending")
        assert "1234520260921000417" in held.body["message"]
        closed = opened | {"id": "01M8A4XP5SJT101EYDR9TPAYT4", "type": "ticket.closed"}
        worker.handler(sqs_event([closed], queue="TradingComplaintsQueue"), FakeContext())
        won = call("POST", f"/v1/trading/notices/{seed.IN_PUBLICITY}/result", NANJING_CENTRE, body=later)
    assert (won.status, won.body["winner_uscc"]) == (200, seed.CLEAN_BIDDER)


def test_the_complaints_rule_passes_only_tickets_that_name_a_notice() -> None:
    from infra.local.filters import matches
    from infra.template import sam_template

    pattern = sam_template()["Resources"]["TradingComplaintsRule"]["Properties"]["EventPattern"]
    sample = json.loads((ROOT / "events" / "trading_worker" / "sqs-ticket-opened.json").read_text())
    event = json.loads(sample["Records"][0]["body"])
    assert matches(pattern, event)
    assert not matches(pattern, event | {"detail": event["detail"] | {"data": {"link_notice_id": None}}})


# --- keyword search over the public lists (D-306) ----------------------------------------------

# (title, region, kind, content); newest last, so the lists show them in reverse within a division
SEARCHED: list[tuple[str, str, str, str]] = [
    ("江宁区秣陵街道道路提升改造工程施工招标公告", "320115", "works_tender", "道路改造"),
    ("玄武区政务服务中心自助终端采购项目", "320102", "procurement", "自助终端"),
    ("江宁区东山街道社区服务中心新建工程施工招标公告", "320115", "works_tender", "新建工程"),
    ("江宁区ABC智慧停车系统采购项目", "320115", "procurement", "停车系统"),
    ("虎丘区苏地2026-WG-18号地块挂牌出让公告", "320505", "land_transfer", "国有建设用地使用权"),
    ("江宁区汤山街道污水管网完善工程施工招标公告", "320115", "works_tender", "含道路破除与恢复"),
    ("虎丘区狮山路道路照明工程施工招标公告", "320505", "works_tender", "道路照明"),
    ("鼓楼区ｓｍａｒｔ政务大厅叫号系统采购", "320106", "procurement", "叫号系统"),
    ("江宁区淳化街道道路养护工程施工招标公告", "320115", "works_tender", "养护"),
]


def _seed_searched() -> dict[str, str]:
    """The notices above, written as published (awarded every third), each a minute after the last."""
    from shared.trading.models import Notice, Stage

    ids: dict[str, str] = {}
    for number, (title, region, kind, content) in enumerate(SEARCHED):
        at = MONDAY + dt.timedelta(minutes=number)
        notice = Notice(
            notice_id=f"01JDQ9{number:020d}",
            kind=kind,
            title=title,
            region_code=region,
            content=content,
            published_on=at.date(),
            documents_from=at.date(),
            bid_deadline=at.date() + dt.timedelta(days=20),
            published_by="01JDQ90F3W7C8M2T6R4K9N5XT1",
            published_at=at,
            **({"stage": Stage.AWARDED, "awarded_at": at} if number % 3 == 0 else {}),
        )
        trading_service().repository.save(notice, expected_version=None, events=[])
        ids[title] = notice.notice_id
    return ids


def _walk(path: str, query: dict[str, str]) -> tuple[list[str], int]:
    """Every title of a list, page by page; and how many pages it took."""
    titles: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        reply = call("GET", path, query=query | ({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.body
        titles += [n["title"] for n in reply.body["items"]]
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return titles, pages


def test_a_keyword_finds_the_notices_across_pages_with_the_other_filters(cloud: None) -> None:
    _seed_searched()
    road = "道路"
    titles, pages = _walk("/v1/trading/notices", {"q": f"  {road} ", "limit": "2"})
    # title or content, grouped by division (the list's order: 320505 before 320115), newest first within each
    assert titles == [SEARCHED[i][0] for i in (6, 8, 5, 0)]
    assert pages == 2  # two matches a page; the second page ends the list
    assert _walk("/v1/trading/notices", {"q": road, "kind": "works_tender", "region_code": "320500"})[0] == [
        SEARCHED[6][0]
    ]
    assert _walk("/v1/trading/notices", {"q": "采购", "kind": "procurement", "region_code": "320100"})[0] == [
        SEARCHED[i][0]
        for i in (3, 7, 1)  # 320115, 320106, then 320102
    ]
    # Latin letters in any case; full-width letters as half-width
    assert _walk("/v1/trading/notices", {"q": "abc"})[0] == [SEARCHED[3][0]]
    assert _walk("/v1/trading/notices", {"q": "SMART"})[0] == [SEARCHED[7][0]]
    # results: the awarded ones (0, 3, 6) only
    assert _walk("/v1/trading/results", {"q": road, "limit": "1"})[0] == [SEARCHED[6][0], SEARCHED[0][0]]
    nothing = call("GET", "/v1/trading/notices", query={"q": "机场跑道"}).body
    assert nothing == {"items": [], "next_cursor": None}


def test_a_filtered_page_may_be_short_while_the_cursor_goes_on(cloud: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.platform import dynamo

    _seed_searched()
    monkeypatch.setattr(dynamo, "FILTERED_QUERY_BATCH", 1)
    monkeypatch.setattr(dynamo, "FILTERED_QUERY_CALLS", 2)  # two notices read per request
    # the list reads 320505's two notices first; the one that matches is the last of the nine
    first = call("GET", "/v1/trading/notices", query={"q": "自助终端", "limit": "1"}).body
    assert first["items"] == []
    assert first["next_cursor"]
    titles, pages = _walk("/v1/trading/notices", {"q": "自助终端", "limit": "1"})
    assert titles == [SEARCHED[1][0]]
    assert pages == 5  # nine notices, two read a request


def test_a_cursor_is_bound_to_its_keyword_and_a_hostile_keyword_is_refused(cloud: None) -> None:
    _seed_searched()
    cursor = call("GET", "/v1/trading/notices", query={"q": "道路", "limit": "1"}).body["next_cursor"]
    plain = call("GET", "/v1/trading/notices", query={"limit": "1"}).body["next_cursor"]
    for query in ({"q": "工程", "cursor": cursor}, {"cursor": cursor}, {"q": "道路", "cursor": plain}):
        reply = call("GET", "/v1/trading/notices", query=query)
        assert (reply.status, reply.code) == (400, "invalid_cursor"), query
    assert call("GET", "/v1/trading/notices", query={"q": "道路", "cursor": cursor}).status == 200
    for bad in ("道路\x00", "\u202e道路", "   ", "路" * 41):
        for path in ("/v1/trading/notices", "/v1/trading/results"):
            reply = call("GET", path, query={"q": bad}, headers={"Accept-Language": "en"})
            assert (reply.status, reply.code) == (422, "trading.bad_query"), bad
            assert reply.body["errors"][0]["field"] == "q"
            assert "40" in reply.body["message"]
    assert call("GET", "/v1/trading/notices", query={"q": "路" * 40}).status == 200


def test_a_notice_stored_before_the_search_text_is_found_as_written(cloud: None) -> None:
    from shared.platform.dynamo import to_item
    from shared.trading.repository import stored

    repository = trading_service().repository
    notice = repository.notice(_seed_searched()[SEARCHED[4][0]])
    assert notice is not None
    old = {k: v for k, v in stored(notice).items() if k != "search_text"}
    boto3.client("dynamodb").put_item(TableName="trading-test", Item=to_item(old))
    assert _walk("/v1/trading/notices", {"q": "苏地2026-WG"})[0] == []  # folded to wg: not as written
    assert _walk("/v1/trading/notices", {"q": "挂牌出让"})[0] == [SEARCHED[4][0]]  # in the title as written
