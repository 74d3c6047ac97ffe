"""好差评 end to end in process (issue 14): a finished case invites its applicant
(once), the applicant rates (one per target and person, changeable once within
10 days), a 差评 opens a rectification order whose limits go out as `limit.set`
/ `limit.cleared`, the department visits and answers, the rater confirms or not,
a supervisor decides; appeals; one-time links; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.template import ROOT
from shared.notifications.api import messages_for
from shared.platform.clock import frozen_at
from shared.platform.events import Envelope
from shared.workdays.api import deadline
from tests.support.api import call, invoke
from tests.support.apigw import as_role
from tests.unit.ratings_fixtures import (
    CITIZEN_A,
    CITIZEN_B,
    NANJING_SUPERVISOR,
    SUBJECT_A,
    SUZHOU_SUPERVISOR,
    XUANWU_CIVIL,
    XUANWU_POLICE,
    case_event,
    feed_worker,
    ratings_cloud,
    ratings_outbox,
    table_items,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)  # 10:00 in Nanjing
GOOD = {"level": "satisfied", "reasons": [], "channel": "web"}
BAD = {"level": "very_dissatisfied", "reasons": ["attitude", "repeated_visits"], "text": "跑了三次", "channel": "app"}


@pytest.fixture(autouse=True)
def cloud() -> Iterator[None]:
    with ratings_cloud(), frozen_at(MONDAY):
        yield


def invited(case_id: str, **kwargs: Any) -> dict[str, Any]:
    assert feed_worker([case_event(case_id=case_id, **kwargs)]) == {"batchItemFailures": []}
    return {"target_kind": "case", "target_id": case_id}


def rate(target: dict[str, Any], body: dict[str, Any], who: dict[str, str] = CITIZEN_A) -> Any:
    return call("POST", "/v1/ratings", who, body=target | body)


def test_a_finished_case_invites_its_applicant_exactly_once_under_redelivery() -> None:
    completed = case_event(case_id="01JDQ9A0000000000000000C01")
    assert feed_worker([completed, completed]) == {"batchItemFailures": []}
    assert feed_worker([completed], receive_count=2) == {"batchItemFailures": []}
    withdrawn = case_event("case.withdrawn", case_id="01JDQ9A0000000000000000C02")
    assert feed_worker([withdrawn]) == {"batchItemFailures": []}

    invitations = sorted(ratings_outbox("rating.invited"), key=lambda e: e["data"]["target_id"])
    assert [e["data"]["target_id"] for e in invitations] == ["01JDQ9A0000000000000000C01", "01JDQ9A0000000000000000C02"]
    assert [e["data"]["outcome"] for e in invitations] == ["completed", "withdrawn"]
    subject, message = messages_for(Envelope.model_validate(invitations[0]))[0]
    assert subject == SUBJECT_A
    assert message.category == "rating"
    assert "最低生活保障金给付" in message.body
    pending = call("GET", "/v1/me/rating-invitations", CITIZEN_A).body["items"]
    assert {i["target_id"] for i in pending} == {"01JDQ9A0000000000000000C01", "01JDQ9A0000000000000000C02"}
    assert call("GET", "/v1/me/rating-invitations", CITIZEN_B).body["items"] == []

    sample = json.loads((ROOT / "events" / "ratings_api" / "rate.json").read_text("utf-8"))  # 张伟 rates C01
    rated = invoke(sample)
    assert (rated.status, rated.body["level"], rated.body["rectification_state"]) == (
        201,
        "very_dissatisfied",
        "awaiting_visit",
    )


def test_one_rating_per_target_and_person_someone_elses_or_uninvited_target_is_404() -> None:
    target = invited("01JDQ9A0000000000000000C03")
    first = rate(target, GOOD)
    assert first.status == 201, first.body
    assert first.body["level_name"] == "满意"
    assert first.body["revision"] == 1
    second = rate(target, GOOD)
    assert (second.status, second.code) == (409, "ratings.already_rated")
    assert rate(target, GOOD, CITIZEN_B).code == "ratings.target_not_found"
    uninvited = rate({"target_kind": "case", "target_id": "01JDQ9A0000000000000000C99"}, GOOD)
    assert (uninvited.status, uninvited.code) == (404, "ratings.target_not_found")
    assert call("GET", "/v1/me/rating-invitations", CITIZEN_A).body["items"] == []  # rated: no longer pending
    assert len(ratings_outbox("rating.given")) == 1
    assert call("GET", f"/v1/ratings/{first.body['rating_id']}", CITIZEN_B).status == 404


def test_staff_see_the_ratings_of_their_own_work_and_their_departments() -> None:
    colleague = as_role("staff", sub="01JDQ90F3W7C8M2T6R4K9N5XF6", department_id="320102-civil", region_code="320102")
    accepted_by_liu = invited("01JDQ9A0000000000000000C11", handler=XUANWU_CIVIL["sub"])
    rating_id = rate(accepted_by_liu, GOOD).body["rating_id"]
    assert rate(invited("01JDQ9A0000000000000000C12"), GOOD).status == 201  # nobody named as its handler

    def listed(who: dict[str, str], **query: str) -> list[str]:
        return [r["rating_id"] for r in call("GET", "/v1/ratings", who, query=query).body["items"]]

    assert listed(XUANWU_CIVIL, mine="true") == [rating_id]
    assert listed(colleague, mine="true") == []
    assert rating_id in listed(colleague)  # the department's ratings, as before
    assert len(listed(colleague)) == 2
    assert call("GET", "/v1/ratings", CITIZEN_A, query={"mine": "true"}).status == 403


def test_a_rating_changes_once_within_ten_days_and_both_revisions_stay() -> None:
    target = invited("01JDQ9A0000000000000000C04")
    rating_id = rate(target, GOOD).body["rating_id"]
    changed = call("PUT", f"/v1/ratings/{rating_id}", CITIZEN_A, body=BAD)
    assert changed.status == 200, changed.body
    assert (changed.body["level"], changed.body["revision"]) == ("very_dissatisfied", 2)
    assert changed.body["rectification_id"]  # the change to a 差评 opened an order
    again = call("PUT", f"/v1/ratings/{rating_id}", CITIZEN_A, body=GOOD)
    assert (again.status, again.code) == (409, "ratings.already_changed")
    assert call("PUT", f"/v1/ratings/{rating_id}", CITIZEN_B, body=GOOD).status == 404
    (event,) = ratings_outbox("rating.changed")
    assert (event["data"]["previous_level"], event["data"]["level"]) == ("satisfied", "very_dissatisfied")
    revisions = [i for i in table_items() if i["pk"] == f"RATING#{rating_id}" and i["sk"].startswith("REV#")]
    assert [r["level"] for r in revisions] == ["satisfied", "very_dissatisfied"]

    late = invited("01JDQ9A0000000000000000C05")
    late_id = rate(late, GOOD).body["rating_id"]
    with frozen_at(MONDAY + dt.timedelta(days=10, minutes=1)):
        refused = call("PUT", f"/v1/ratings/{late_id}", CITIZEN_A, body=BAD)
    assert (refused.status, refused.code) == (409, "ratings.change_window_closed")
    with frozen_at(MONDAY + dt.timedelta(days=9, hours=23)):
        assert call("PUT", f"/v1/ratings/{late_id}", CITIZEN_A, body=BAD).status == 200


def limits(name: str) -> list[dict[str, Any]]:
    return [e["data"] for e in ratings_outbox() if e["type"].startswith("limit.") and e["data"]["name"] == name]


def test_a_bad_rating_runs_the_rectification_loop_and_publishes_its_limits() -> None:
    target = invited("01JDQ9A0000000000000000C06")
    rated = rate(target, BAD)
    order_id = rated.body["rectification_id"]
    assert rated.body["rectification_state"] == "awaiting_visit"

    (visit_set,) = limits("visit")
    assert visit_set | {"version": 0} == visit_set | {
        "limit_id": f"ratings:rectification:{order_id}:visit",
        "context": "ratings",
        "subject_kind": "rectification",
        "department_id": "320102-civil",
        "region_code": "320102",
        "started_on": "2026-09-21",
        "due_on": "2026-09-22",  # 1 working day
        "limit_days": 1,
        "paused": False,
        "version": 0,
    }
    (answer_set,) = limits("answer")
    # 15 working days on the platform calendar: the National Day holiday does not count
    assert (answer_set["due_on"], answer_set["limit_days"]) == ("2026-10-19", 15)
    assert answer_set["due_on"] == deadline(dt.date(2026, 9, 21), 15).date.isoformat()
    assert "张伟" not in str(visit_set)
    assert SUBJECT_A not in str(visit_set)

    # only the handling department works the order; the rater and supervisors read it
    assert call("POST", f"/v1/rectifications/{order_id}/visit", XUANWU_POLICE, body={"note": "x已联系"}).status == 404
    early = call("POST", f"/v1/rectifications/{order_id}/answer", XUANWU_CIVIL, body={"measures": "ab", "answer": "cd"})
    assert (early.status, early.code) == (409, "ratings.step_not_allowed")
    visited = call("POST", f"/v1/rectifications/{order_id}/visit", XUANWU_CIVIL, body={"note": "已电话回访，情况属实"})
    assert visited.body["state"] == "visited"
    assert [(d["reason"], d["version"]) for d in limits("visit") if "reason" in d] == [("visited", 2)]

    answer = {"measures": "窗口一次性告知材料清单", "answer": "已整改，向您致歉", "publishable": True}
    answered = call("POST", f"/v1/rectifications/{order_id}/answer", XUANWU_CIVIL, body=answer)
    assert (answered.body["state"], answered.body["answered_on_time"]) == ("answered", True)
    assert [d["reason"] for d in limits("answer") if "reason" in d] == ["answered"]
    (answered_event,) = ratings_outbox("rectification.answered")
    subject, message = messages_for(Envelope.model_validate(answered_event))[0]
    assert subject == SUBJECT_A
    assert message.link == f"/rectifications/{order_id}"

    assert (
        call("POST", f"/v1/rectifications/{order_id}/confirmation", CITIZEN_B, body={"confirmed": True}).status == 404
    )
    refused = call("POST", f"/v1/rectifications/{order_id}/confirmation", CITIZEN_A, body={"confirmed": False})
    assert refused.body["state"] == "unconfirmed"
    decision = {"outcome": "redo", "reason": "答复未解决问题"}
    assert call("POST", f"/v1/rectifications/{order_id}/decision", SUZHOU_SUPERVISOR, body=decision).status == 404
    redo = call("POST", f"/v1/rectifications/{order_id}/decision", NANJING_SUPERVISOR, body=decision)
    assert redo.body["state"] == "visited"
    restarted = max((d for d in limits("answer") if "due_on" in d), key=lambda d: d["version"])
    assert restarted["version"] > answer_set["version"]
    assert restarted["started_on"] == "2026-09-21"

    call("POST", f"/v1/rectifications/{order_id}/answer", XUANWU_CIVIL, body=answer)
    closed = call("POST", f"/v1/rectifications/{order_id}/confirmation", CITIZEN_A, body={"confirmed": True})
    assert (closed.body["state"], closed.body["closed_reason"]) == ("closed", "confirmed")
    mine = call("GET", "/v1/me/ratings", CITIZEN_A).body["items"]
    assert [(r["rectification_id"], r["rectification_state"]) for r in mine] == [(order_id, "closed")]
    assert call("GET", "/v1/rectifications", XUANWU_CIVIL).body["items"][0]["order_id"] == order_id
    assert call("GET", "/v1/rectifications", NANJING_SUPERVISOR, query={"month": "2026-09"}).body["items"]
    assert call("GET", "/v1/rectifications", SUZHOU_SUPERVISOR, query={"month": "2026-09"}).body["items"] == []
    exposed = call("GET", "/v1/exposure").body["items"]
    assert [(e["order_id"], e["rating_text"], e["outcome"]) for e in exposed] == [
        (order_id, "跑了三次", "评价人确认满意")
    ]


def test_appeals_only_by_the_handling_department_decided_by_a_supervisor_of_the_region() -> None:
    target = invited("01JDQ9A0000000000000000C07")
    rated = rate(target, BAD)
    rating_id, order_id = rated.body["rating_id"], rated.body["rectification_id"]
    appeal = {"reason": "评价人当日并未到窗口办理", "evidence": ["窗口监控记录 2026-09-21"]}
    assert call("POST", f"/v1/ratings/{rating_id}/appeal", XUANWU_POLICE, body=appeal).status == 404
    assert call("POST", f"/v1/ratings/{rating_id}/appeal", CITIZEN_A, body=appeal).status == 403
    filed = call("POST", f"/v1/ratings/{rating_id}/appeal", XUANWU_CIVIL, body=appeal)
    assert (filed.status, filed.body["appeal"]["state"]) == (201, "pending")
    assert call("POST", f"/v1/ratings/{rating_id}/appeal", XUANWU_CIVIL, body=appeal).code == "ratings.appeal_exists"
    assert call("PUT", f"/v1/ratings/{rating_id}", CITIZEN_A, body=GOOD).code == "ratings.not_changeable"

    assert [r["rating_id"] for r in call("GET", "/v1/rating-appeals", NANJING_SUPERVISOR).body["items"]] == [rating_id]
    assert call("GET", "/v1/rating-appeals", SUZHOU_SUPERVISOR).body["items"] == []
    upheld = {"outcome": "upheld", "reason": "监控显示评价人未到场"}
    assert call("POST", f"/v1/ratings/{rating_id}/appeal/decision", SUZHOU_SUPERVISOR, body=upheld).status == 404
    assert call("POST", f"/v1/ratings/{rating_id}/appeal/decision", XUANWU_CIVIL, body=upheld).status == 403
    decided = call("POST", f"/v1/ratings/{rating_id}/appeal/decision", NANJING_SUPERVISOR, body=upheld)
    assert decided.status == 200, decided.body
    assert (decided.body["excluded"], decided.body["appeal"]["state"]) == (True, "upheld")
    again = call("POST", f"/v1/ratings/{rating_id}/appeal/decision", NANJING_SUPERVISOR, body=upheld)
    assert again.code == "ratings.no_open_appeal"
    assert call("GET", "/v1/rating-appeals", NANJING_SUPERVISOR).body["items"] == []

    # never deleted: the rating stays readable, marked excluded; its running order closes
    assert call("GET", f"/v1/ratings/{rating_id}", CITIZEN_A).body["excluded"] is True
    order = call("GET", f"/v1/rectifications/{order_id}", XUANWU_CIVIL).body
    assert (order["state"], order["closed_reason"]) == ("closed", "appeal_upheld")
    cleared = [e["data"]["name"] for e in ratings_outbox("limit.cleared")]
    assert sorted(cleared) == ["answer", "visit"]
    assert len(ratings_outbox("rating.excluded")) == 1

    # the counters: the excluded rating left its level for `excluded`
    assert feed_worker(ratings_outbox("rating.given") + ratings_outbox("rating.excluded")) == {"batchItemFailures": []}
    counts = call("GET", "/v1/exposure/counts", query={"month": "2026-09"}).body["items"]
    assert [(c["levels"]["very_dissatisfied"], c["excluded"]) for c in counts] == [(0, 1)]
    assert call("GET", "/v1/exposure").body["items"] == []  # an upheld appeal is no 差评 to expose


def test_a_hall_visitor_rates_once_with_a_one_time_link() -> None:
    target = invited("01JDQ9A0000000000000000C08", hall_id="320102-xuanwu-center")
    path = "/v1/rating-targets/case/01JDQ9A0000000000000000C08/link"
    assert call("POST", path, XUANWU_POLICE).status == 404  # not the department's
    issued = call("POST", path, XUANWU_CIVIL)
    assert issued.status == 201, issued.body
    token = issued.body["token"]
    assert issued.body["url"].endswith(token)
    assert token not in str(table_items())  # only its hash is kept

    forged = call("POST", "/v1/rating-links/ratings", body=GOOD | {"token": token[:-4] + "AAAA"})
    assert (forged.status, forged.code) == (404, "ratings.link_invalid")
    used = call("POST", "/v1/rating-links/ratings", body=BAD | {"token": token, "channel": "hall_pad"})
    assert used.status == 201, used.body
    assert (used.body["channel"], used.body["hall_id"]) == ("hall_pad", "320102-xuanwu-center")
    # the hall that took the case in travels with the rating: the halls context can count its own
    assert ratings_outbox("rating.given")[0]["data"]["hall_id"] == "320102-xuanwu-center"
    assert used.body["changeable_until"] is None
    again = call("POST", "/v1/rating-links/ratings", body=GOOD | {"token": token})
    assert (again.status, again.code) == (404, "ratings.link_invalid")
    assert call("POST", path, XUANWU_CIVIL).code == "ratings.already_rated"
    # the applicant with an account still has their own one rating
    assert rate(target, GOOD).status == 201

    expired = invited("01JDQ9A0000000000000000C09")
    late_token = call("POST", "/v1/rating-targets/case/01JDQ9A0000000000000000C09/link", XUANWU_CIVIL).body["token"]
    assert expired
    with frozen_at(MONDAY + dt.timedelta(days=31)):
        assert (
            call("POST", "/v1/rating-links/ratings", body=GOOD | {"token": late_token}).code == "ratings.link_invalid"
        )


@pytest.mark.parametrize(
    "body",
    [
        GOOD | {"level": "excellent"},
        GOOD | {"reasons": ["rude"]},
        GOOD | {"reasons": ["attitude", "attitude"]},
        GOOD | {"channel": "fax"},
        GOOD | {"text": "长" * 501},
        GOOD | {"extra": 1},
        {"level": "satisfied"},
    ],
    ids=["level", "reason", "duplicate-reason", "channel", "long-text", "unknown-field", "no-channel"],
)
def test_bad_input_is_a_stable_4xx_and_writes_nothing(body: dict[str, Any]) -> None:
    target = invited("01JDQ9A0000000000000000C10")
    before = table_items()
    refused = rate(target, body)
    assert refused.status == 422, refused.body
    assert refused.code == "validation_failed"
    assert table_items() == before


def test_aws_calls_to_invite_and_to_rate() -> None:
    """The figures in docs/performance.md (Ratings): exact AWS calls per operation."""
    from shared.platform.aws import count_calls

    with count_calls() as inviting:
        target = invited("01JDQ9A0000000000000000C77")
    with count_calls() as rating:
        assert rate(target, GOOD).status == 201
    bad_target = invited("01JDQ9A0000000000000000C78")
    with count_calls() as rating_bad:
        assert rate(bad_target, BAD).status == 201
    assert inviting == {"dynamodb.TransactWriteItems": 1}
    assert rating == {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
    # a 差评 also opens its rectification order in the same transaction; the extra read is the calendar
    assert rating_bad == {"dynamodb.GetItem": 1, "dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1}


def test_aws_calls_to_appeal_to_rectify_and_to_read_the_public_column() -> None:
    """The figures in docs/performance.md (Ratings): appeals, every rectification step,
    the public column. Each write is one read of the record and one transaction."""
    from shared.platform.aws import count_calls
    from shared.workdays import repository as workdays_repository

    appealed = rate(invited("01JDQ9A0000000000000000C79"), BAD).body["rating_id"]
    appeal = {"reason": "评价人当日并未到窗口办理", "evidence": ["窗口监控记录"]}
    with count_calls() as filing:
        assert call("POST", f"/v1/ratings/{appealed}/appeal", XUANWU_CIVIL, body=appeal).status == 201
    upheld = {"outcome": "upheld", "reason": "监控显示评价人未到场"}
    with count_calls() as deciding:
        assert call("POST", f"/v1/ratings/{appealed}/appeal/decision", NANJING_SUPERVISOR, body=upheld).status == 200

    order_id = rate(invited("01JDQ9A0000000000000000C80"), BAD).body["rectification_id"]
    steps: dict[str, object] = {}
    for name, path, who, body in (
        ("visit", "visit", XUANWU_CIVIL, {"note": "已电话回访"}),
        ("answer", "answer", XUANWU_CIVIL, {"measures": "已整改", "answer": "已答复", "publishable": True}),
        ("not confirmed", "confirmation", CITIZEN_A, {"confirmed": False}),
        ("supervisor redo", "decision", NANJING_SUPERVISOR, {"outcome": "redo", "reason": "答复未解决问题"}),
        ("answer again", "answer", XUANWU_CIVIL, {"measures": "再次整改", "answer": "再次答复"}),
        ("confirmed", "confirmation", CITIZEN_A, {"confirmed": True}),
    ):
        workdays_repository.clear_cache()  # a cold container: a step that needs the calendar reads it
        with count_calls() as counted:
            assert call("POST", f"/v1/rectifications/{order_id}/{path}", who, body=body).status == 200
        steps[name] = counted
    with count_calls() as exposure:
        assert call("GET", "/v1/exposure").body["items"]
    with count_calls() as counts:
        assert call("GET", "/v1/exposure/counts", query={"month": "2026-09"}).status == 200
    one_read_one_write = {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}
    assert filing == one_read_one_write
    # the rating and its rectification order (closed in the same transaction as the exclusion)
    assert deciding == {"dynamodb.GetItem": 2, "dynamodb.TransactWriteItems": 1}
    assert steps == {
        "visit": one_read_one_write,
        "answer": one_read_one_write,  # the department's on-time counter moves in the same transaction
        "not confirmed": one_read_one_write,
        "supervisor redo": one_read_one_write | {"dynamodb.BatchGetItem": 1},  # the calendar, for the new limit
        "answer again": one_read_one_write,
        "confirmed": one_read_one_write,
    }
    assert exposure == {"dynamodb.Query": 1}
    assert counts == {"dynamodb.Query": 1}


def test_a_closed_ticket_invites_under_its_matter_not_a_generic_title() -> None:
    ticket = {
        "ticket_id": "01JDQ9A0000000000000000T01",
        "number": "12345202609210001",
        "type": "complaint",
        "channel": "web",
        "category_code": "0101",
        "title": "投诉：消费维权",
        "region_code": "320102",
        "state": "closed",
        "department_id": "320102-market",
        "department_region_code": "320102",
        "notify_subject_id": SUBJECT_A,
        "closure": "satisfied",
    }
    closed = Envelope(type="ticket.closed", source="hotline", subject=ticket["ticket_id"], data=ticket)
    knowledge_base = Envelope(
        type="ticket.closed",
        source="hotline",
        subject="01JDQ9A0000000000000000T02",
        data=ticket | {"ticket_id": "01JDQ9A0000000000000000T02", "department_id": None},
    )
    assert feed_worker([e.model_dump(mode="json") for e in (closed, knowledge_base)]) == {"batchItemFailures": []}
    [invited] = ratings_outbox("rating.invited")  # answered from the knowledge base: nobody to rate
    assert (invited["data"]["title"], invited["data"]["department_id"]) == ("12345 投诉：消费维权", "320102-market")
    _subject, message = messages_for(Envelope.model_validate(invited))[0]
    assert "“12345 投诉：消费维权”" in message.body
