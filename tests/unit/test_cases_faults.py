"""Faults: racing transitions, and an AWS error injected before (or after) each
AWS call of submission and pre-review. A refused or failed step leaves no
half-written case and loses no event; a retry finishes the job exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.cases.models import AcceptRequest, ReasonRequest
from shared.cases.service import CasesService, cases_service, clear_caches
from shared.cases.shapes import StaffDeficiency, StaffSupplementRequest
from shared.platform import aws
from shared.platform.aws import count_calls
from shared.platform.clock import frozen_at
from shared.platform.config import reset_settings
from shared.platform.errors import AppError
from shared.platform.principal import Principal
from shared.workdays import repository as workdays_repository
from tests.support.api import call
from tests.support.handlers import load_function
from tests.support.serialised import serialise_dynamodb
from tests.unit.cases_fixtures import (
    CITIZEN_A,
    XUANWU_CIVIL,
    cases_cloud,
    complete_subsistence_case,
    dlq_messages,
    outbox,
    run_pre_review,
    submit,
)

MONDAY = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def cloud() -> Iterator[None]:
    with cases_cloud():
        yield


@pytest.fixture(autouse=True)
def monday(cloud: None) -> Iterator[None]:
    with frozen_at(MONDAY):
        yield


@contextmanager
def aws_fails_on_call(number: int, *, after_the_call: bool = False) -> Iterator[list[str]]:
    """Make the `number`-th AWS call in the block fail with a 500 (before it reaches AWS,
    or after AWS did the work but before the caller hears of it). Yields the calls seen."""
    seen: list[str] = []
    event = "after-call.*.*" if after_the_call else "before-call.*.*"

    def inject(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        seen.append(operation)
        if len(seen) == number:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, operation)

    clients = [aws.dynamodb(), aws.s3(), aws.sqs()]
    for made in clients:
        made.meta.events.register(event, inject, unique_id="fault-injection")
    try:
        yield seen
    finally:
        for made in clients:
            made.meta.events.unregister(event, unique_id="fault-injection")


def state_of(case_id: str) -> tuple[str, int]:
    case = call("GET", f"/v1/cases/{case_id}", CITIZEN_A).body
    return case["state"], case["version"]


def _calls_of(action: Callable[[], object]) -> int:
    with count_calls() as calls:
        action()
    return sum(calls.values())


class TestSubmissionFaults:
    def test_submission_calls_are_what_the_budget_says(self) -> None:
        workdays_repository.clear_cache()
        case_id = complete_subsistence_case()
        with count_calls() as calls:
            assert submit(case_id).status == 200
        # cold calendar: the one extra read is the holiday arrangement (cached 5 minutes)
        assert calls == {
            "dynamodb.Query": 1,  # the draft (with its application, D-277)
            "dynamodb.GetItem": 1,
            "dynamodb.BatchGetItem": 1,
            "dynamodb.TransactWriteItems": 1,
        }

    @pytest.mark.parametrize("failing_call", [1, 2, 3, 4])
    def test_an_error_before_any_call_leaves_the_draft_untouched_and_a_retry_submits_once(
        self, failing_call: int
    ) -> None:
        workdays_repository.clear_cache()
        case_id = complete_subsistence_case()
        before = state_of(case_id)
        # When the n-th AWS call of the submission fails
        with aws_fails_on_call(failing_call) as seen:
            reply = submit(case_id, key=f"fault-{failing_call}")
        assert seen[:4] == ["Query", "GetItem", "BatchGetItem", "TransactWriteItems"][: len(seen)]
        # Then the request fails, the case is still the same draft and no event exists
        assert reply.status == 500
        assert state_of(case_id) == before
        assert outbox("case.submitted", case_id) == []
        # And the retry with the same key submits exactly once
        assert submit(case_id, key=f"fault-{failing_call}").status == 200
        assert len(outbox("case.submitted", case_id)) == 1

    def test_an_answer_lost_after_the_commit_is_recovered_by_the_idempotency_key(self) -> None:
        case_id = complete_subsistence_case()
        # When the transaction commits but its answer is lost (the 3rd call, warm calendar)
        deadline_warm = cases_service()  # the calendar is cached from earlier submissions
        assert deadline_warm is not None
        with aws_fails_on_call(3, after_the_call=True) as seen:
            lost = submit(case_id, key="lost-answer")
        assert seen[-1] == "TransactWriteItems"
        assert lost.status == 500
        # Then the retry returns the receipt of the committed submission, and there is one event
        retry = submit(case_id, key="lost-answer")
        assert retry.status == 200
        assert retry.body["state"] == "submitted"
        assert len(outbox("case.submitted", case_id)) == 1


class TestPreReviewFaults:
    @pytest.mark.parametrize("failing_call", [1, 2])
    def test_a_failed_pre_review_is_retried_and_changes_nothing_meanwhile(self, failing_call: int) -> None:
        case_id = complete_subsistence_case(skip_slots=("id_card",))
        submit(case_id)
        before = state_of(case_id)
        with aws_fails_on_call(failing_call) as seen:
            result = run_pre_review(case_id)
        assert seen[:2] == ["Query", "TransactWriteItems"][: len(seen)]
        # Then the record is reported for retry, the case is still submitted, no notice was sent
        assert len(result["batchItemFailures"]) == 1
        assert state_of(case_id) == before
        assert outbox("case.supplement_required", case_id) == []
        # And the retry issues exactly one notice
        assert run_pre_review(case_id, receive_count=2) == {"batchItemFailures": []}
        assert len(outbox("case.supplement_required", case_id)) == 1

    def test_the_last_failure_parks_the_message_in_the_dlq_with_its_reason(self) -> None:
        case_id = complete_subsistence_case()
        submit(case_id)
        with aws_fails_on_call(1):
            result = run_pre_review(case_id, receive_count=3)
        # Then the message is not retried again but parked, with why; the case stays submitted
        assert result == {"batchItemFailures": []}
        [parked] = [m for m in dlq_messages() if case_id in m["Body"]]
        reason = parked["MessageAttributes"]["failure_reason"]["StringValue"]
        assert "InternalServerError" in reason
        assert state_of(case_id)[0] == "submitted"
        mine = {
            c["case_id"]: c["state"] for c in call("GET", "/v1/cases", CITIZEN_A, query={"limit": "100"}).body["items"]
        }
        assert mine[case_id] == "submitted"
        # and a redriven message finishes the job
        assert run_pre_review(case_id) == {"batchItemFailures": []}
        assert state_of(case_id)[0] == "pre_review_passed"

    def test_an_unreadable_message_is_a_partial_failure_and_its_peers_succeed(self) -> None:
        from tests.support.apigw import FakeContext
        from tests.unit.cases_fixtures import sqs_event, submitted_events

        case_id = complete_subsistence_case()
        submit(case_id)
        event = sqs_event(submitted_events(case_id))
        broken = dict(event["Records"][0], messageId="broken", body="{not json")
        result = load_function("pre_review_worker").handler({"Records": [broken, *event["Records"]]}, FakeContext())
        assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
        assert state_of(case_id)[0] == "pre_review_passed"


@pytest.fixture
def serialised_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    serialise_dynamodb(monkeypatch)  # DynamoDB applies a condition and its write atomically


class TestRaces:
    @pytest.mark.usefixtures("serialised_dynamodb")
    def test_many_threads_racing_one_case_exactly_one_wins(self) -> None:
        # Given a case waiting for intake
        case_id = complete_subsistence_case()
        submit(case_id)
        run_pre_review(case_id)
        # (three staff decisions that exclude each other whatever the order: the applicant's
        # withdrawal is left out, as withdrawing after an acceptance is a second legitimate win)
        staff = Principal.from_context(XUANWU_CIVIL)
        notice = StaffSupplementRequest(items=[StaffDeficiency(target="id_card", message="身份证复印件不清晰")])
        service = CasesService()
        barrier = threading.Barrier(12)
        outcomes: list[str] = []
        lock = threading.Lock()

        def attempt(index: int) -> None:
            barrier.wait()
            try:
                if index % 3 == 0:
                    service.accept(staff, case_id, AcceptRequest(), correlation_id=None)
                elif index % 3 == 1:
                    service.refuse(staff, case_id, ReasonRequest(reason="不予受理"), correlation_id=None)
                else:
                    service.request_supplement(staff, case_id, notice, correlation_id=None)
                result = "won"
            except AppError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Then exactly one transition happened; every other attempt got a clear 409
        assert outcomes.count("won") == 1
        assert set(outcomes) - {"won"} <= {"case.changed_concurrently", "case.transition_not_allowed"}
        # (an acceptance also publishes its limits, limit.set, in the same transaction)
        events = [e for e in outbox(subject=case_id) if e["type"].startswith("case.") and e["type"] != "case.submitted"]
        assert len([e for e in events if e["type"] != "case.pre_review_passed"]) == 1
        timeline = call("GET", f"/v1/cases/{case_id}/timeline/verify", CITIZEN_A).body
        assert timeline["valid"] is True
        assert timeline["length"] == 4  # create, submit, pass_pre_review, the winner


class TestWorkersWithoutTheBucket:
    def test_pre_review_runs_without_the_materials_bucket(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # PreReviewWorkerFunction has no MATERIALS_BUCKET (template.yaml): pre-review must not need it
        case_id = complete_subsistence_case()
        assert submit(case_id).status == 200
        with monkeypatch.context() as env:
            env.delenv("MATERIALS_BUCKET")
            reset_settings()
            clear_caches()
            try:
                assert run_pre_review(case_id) == {"batchItemFailures": []}
            finally:
                env.undo()
                reset_settings()
                clear_caches()
        assert state_of(case_id)[0] == "pre_review_passed"
