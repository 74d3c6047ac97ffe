"""Public resource trading through the local cloud, as the README walks through it (issue 21,
D-309–D-312): a works tender with too short a bid period is refused naming the rule; another
city's centre cannot publish here; an agent registers interest (checked against the credit
platform's simulator); the seeded tender in its publicity refuses its listed first candidate as
winner; the results list and the open data show the seeded result; a complaint is a 12345 ticket
naming the notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infra.local import LocalCloud
from infra.seed import trading as seed
from infra.seed.identity.people import AGENT, DEMO_ENTERPRISE, NANJING_TRADING_CENTRE, SUZHOU_TRADING_CENTRE
from shared.platform.clock import today_in_shanghai
from tests.support.sign_in import sign_in_agent, sign_in_staff

pytestmark = pytest.mark.integration


def _tender(bid_period_days: int) -> dict[str, str]:
    documents_from = today_in_shanghai() + dt.timedelta(days=1)
    return {
        "kind": "works_tender",
        "title": "江宁区某道路改造工程施工招标",
        "region_code": "320115",
        "content": "招标范围：道路改造工程施工",
        "documents_from": documents_from.isoformat(),
        "bid_deadline": (documents_from + dt.timedelta(days=bid_period_days)).isoformat(),
    }


def _staff(api: Any, local_cloud: LocalCloud, who: Any) -> dict[str, str]:
    return sign_in_staff(api, local_cloud, who.login, who.password, who.phone)


def test_periods_region_credit_results_open_data_and_a_complaint(api: Any, local_cloud: LocalCloud) -> None:
    nanjing = _staff(api, local_cloud, NANJING_TRADING_CENTRE)
    short = api.post("/v1/trading/notices", headers=nanjing, json=_tender(19))
    assert (short.status_code, short.json()["code"]) == (422, "trading.period_too_short")
    assert "招标投标法》第二十四条" in short.json()["message"]
    suzhou = _staff(api, local_cloud, SUZHOU_TRADING_CENTRE)
    elsewhere = api.post("/v1/trading/notices", headers=suzhou, json=_tender(20))
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "trading.out_of_region")
    published = api.post("/v1/trading/notices", headers=nanjing, json=_tender(20))
    assert published.status_code == 201, published.text
    agent = sign_in_agent(api, local_cloud, AGENT.phone, DEMO_ENTERPRISE.uscc)
    interest = api.post(f"/v1/trading/notices/{published.json()['notice_id']}/interest", headers=agent)
    assert interest.status_code == 200, interest.text  # the credit platform (simulator) was asked over signed HTTPS

    listed = {"winner_uscc": seed.LISTED_BIDDER}
    blocked = api.post(f"/v1/trading/notices/{seed.IN_PUBLICITY}/result", headers=nanjing, json=listed)
    assert (blocked.status_code, blocked.json()["code"]) == (409, "trading.listed_party")
    assert "失信被执行人名单" in blocked.json()["message"]

    results = api.get("/v1/trading/results", params={"region_code": "320100"}).json()["items"]
    assert seed.AWARDED in [r["notice_id"] for r in results]
    assert seed.AWARDED in api.get("/v1/trading/open-data/320100/results.csv").text
    catalog = api.get("/v1/trading/open-data/catalog").json()
    assert "320100" in [d["dct:spatial"] for d in catalog["dcat:dataset"]]

    complaint = {
        "type": "complaint",
        "category_code": "0704",
        "channel": "web",
        "text": "第一中标候选人有失信记录，请核查。",
        "location": {"region_code": "320115"},
        "link_notice_id": seed.IN_PUBLICITY,
    }
    ticket = api.post("/v1/hotline/tickets", headers=agent, json=complaint)
    assert ticket.status_code == 201, ticket.text
    assert (ticket.json()["link_notice_id"], ticket.json()["department_id"]) == (seed.IN_PUBLICITY, "320115-hotline")
