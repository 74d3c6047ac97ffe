"""Demo ratings (本地演示好差评) for the README walk-through and the exposure column:
a few ratings of 张伟 and 李娜 over the last weeks, so the public counts per
department and month, the exposure column, the user center and the
supervisors' lists show something on `make run`.

- 玄武区民政局: a 不满意 on 最低生活保障金给付, visited, answered (publishable) and
  confirmed — the exposure column's entry; and `LATE`, a 差评 twenty working days
  old nobody visited: its visit and answer limits have passed, so firing
  SupervisionSweepFunction raises a yellow and a red warning on each, once.
- 玄武区市场监督管理局: a 非常不满意 the department appealed and 玄武区's
  supervisor upheld — excluded from the scores, still on record.
- good ratings for the civil-affairs, police, human-resources and 江宁 market
  departments (one from the hall pad).

Everything goes through the ratings service under `frozen_at` (the platform's one
clock): invitations, ratings, rectification steps and appeals write their own
outbox events, so the counters come from the ratings_worker and the limits reach
supervision through the relay, exactly as for a live rating. The rated targets
are the ratings context's own demo targets (`demo-…` case ids, not in the cases
table): driving demo cases all the way to 办结 is the cases seed's business and
costs far more than these facts. Idempotent: a target rated before is found by its
rater marker and only the steps not taken yet are taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from infra.seed.cases import _at, _citizen_subject, _forget_cached, _staff
from infra.seed.environment import seeding_environment
from infra.seed.identity.people import (
    CITIZEN_A,
    CITIZEN_B,
    COUNTY_SUPERVISOR,
    STAFF_IN_SCOPE,
    XUANWU_MARKET,
    DemoCitizen,
)
from shared.identity.service import identity_service
from shared.platform.clock import frozen_at, today_in_shanghai
from shared.platform.principal import Principal, Role
from shared.ratings import service as ratings_service_module
from shared.ratings.models import (
    AppealState,
    Channel,
    Level,
    Reason,
    RectificationState,
    TargetKind,
)
from shared.ratings.service import RatingsService, TargetFacts
from shared.ratings.shapes import (
    AnswerRequest,
    AppealDecisionRequest,
    AppealRequest,
    ConfirmationRequest,
    RateRequest,
    VisitRequest,
)
from shared.workdays.api import Calendar, calendar

CORRELATION = "seed"


@dataclass(frozen=True)
class DemoRating:
    key: str
    rater: DemoCitizen
    department_id: str
    title: str
    level: Level
    working_days_ago: int
    channel: Channel = Channel.WEB
    reasons: tuple[Reason, ...] = ()
    text: str | None = None
    rectified: bool = False  # visited the same day, answered 3 working days later, confirmed the next
    appealed: bool = False  # appealed by the department, upheld by 玄武区's supervisor

    @property
    def target_id(self) -> str:
        return f"demo-{self.key}"

    @property
    def region_code(self) -> str:
        return self.department_id.split("-")[0]

    @property
    def label(self) -> str:
        """What stands for the case number (演示: not a real one)."""
        return f"演示-{self.key}"


RECTIFIED = DemoRating(
    "xuanwu-civil-dibao",
    CITIZEN_A,
    "320102-civil",
    "最低生活保障金给付",
    Level.DISSATISFIED,
    12,
    channel=Channel.APP,
    reasons=(Reason.MATERIALS, Reason.REPEATED_VISITS),
    text="收入证明要求反复变化，跑了三次窗口",
    rectified=True,
)
LATE = DemoRating(
    "xuanwu-civil-marriage",
    CITIZEN_B,
    "320102-civil",
    "内地居民结婚登记",
    Level.VERY_DISSATISFIED,
    20,
    reasons=(Reason.ATTITUDE,),
    text="窗口人员态度生硬",
)
APPEALED = DemoRating(
    "xuanwu-market-getihu",
    CITIZEN_B,
    "320102-market",
    "个体工商户设立登记",
    Level.VERY_DISSATISFIED,
    8,
    channel=Channel.WECHAT,
    reasons=(Reason.OTHER,),
    appealed=True,
)
DEMO_RATINGS = (
    RECTIFIED,
    LATE,
    APPEALED,
    DemoRating(
        "xuanwu-police-idcard", CITIZEN_A, "320102-police", "居民身份证换领", Level.VERY_SATISFIED, 6, Channel.HALL_PAD
    ),
    DemoRating("xuanwu-hrss-unemployment", CITIZEN_B, "320102-hrss", "失业保险金申领", Level.SATISFIED, 4),
    DemoRating("xuanwu-civil-dibao-2", CITIZEN_B, "320102-civil", "最低生活保障金给付", Level.SATISFIED, 3),
    DemoRating(
        "jiangning-market-food", CITIZEN_A, "320115-market", "食品经营许可", Level.BASICALLY_SATISFIED, 2, Channel.APP
    ),
)


def load(env: dict[str, str]) -> dict[str, int]:
    """Load the demo ratings into the tables named by `env`; returns counts per kind."""
    with seeding_environment(env, forget=_forget):
        return load_ratings(RatingsService())


def load_ratings(service: RatingsService) -> dict[str, int]:
    """The same, through an already configured service (tests pass theirs)."""
    identity = identity_service()
    today = today_in_shanghai()
    days = calendar(range(today.year - 1, today.year + 1))
    created = existing = 0
    for demo in DEMO_RATINGS:
        rater = Principal(subject_id=_citizen_subject(identity, demo.rater), role=Role.CITIZEN)
        given_on = _working_days_before(days, today, demo.working_days_ago)
        rating_id = service.repository.rater_marker(TargetKind.CASE.value, demo.target_id, rater.subject_id)
        if rating_id is None:
            created += 1
            rating_id = _rate(service, demo, rater, given_on)
        else:
            existing += 1
        if demo.rectified:
            _rectify(service, demo, rater, rating_id, [_working_days_after(days, given_on, n) for n in (0, 3, 4)])
        if demo.appealed:
            _appeal(service, rating_id, _working_days_after(days, given_on, 1))
    return {"demo_ratings_created": created, "demo_ratings_existing": existing}


def _rate(service: RatingsService, demo: DemoRating, rater: Principal, day: dt.date) -> str:
    target = TargetFacts(
        kind=TargetKind.CASE,
        target_id=demo.target_id,
        label=demo.label,
        title=demo.title,
        department_id=demo.department_id,
        region_code=demo.region_code,
        rater_subject_id=rater.subject_id,
        applicant_uscc=None,
        outcome="completed",
    )
    with frozen_at(_at(day, 9)):
        service.invite(target, correlation_id=CORRELATION)
    request = RateRequest(
        target_kind=TargetKind.CASE,
        target_id=demo.target_id,
        level=demo.level,
        reasons=list(demo.reasons),
        text=demo.text,
        channel=demo.channel,
    )
    with frozen_at(_at(day, 10)):
        return service.rate(rater, request, correlation_id=CORRELATION).rating_id


def _rectify(service: RatingsService, demo: DemoRating, rater: Principal, rating_id: str, on: list[dt.date]) -> None:
    """回访 the day of the rating, the answer three working days later, the confirmation the next."""
    rating = service.repository.rating(rating_id)
    order = service.repository.order(rating.rectification_id) if rating and rating.rectification_id else None
    if order is None:
        return
    clerk = _staff(identity_service(), STAFF_IN_SCOPE)
    state = order.state
    if state is RectificationState.AWAITING_VISIT:
        with frozen_at(_at(on[0], 15)):
            note = VisitRequest(note="已电话回访评价人，核实收入证明要求前后不一致属实")
            state = service.visit(clerk, order.order_id, note, correlation_id=CORRELATION).state
    if state is RectificationState.VISITED:
        answer = AnswerRequest(
            measures="统一收入证明材料要求，窗口一次性告知清单上墙并在网上公开",
            answer="已整改：材料要求统一为一份收入声明，窗口与网上一致。感谢监督，向您致歉。",
            publishable=True,
        )
        with frozen_at(_at(on[1], 11)):
            state = service.answer(clerk, order.order_id, answer, correlation_id=CORRELATION).state
    if state is RectificationState.ANSWERED:
        with frozen_at(_at(on[2], 16)):
            confirmation = ConfirmationRequest(confirmed=True, comment="问题已解决")
            service.confirm(rater, order.order_id, confirmation, correlation_id=CORRELATION)


def _appeal(service: RatingsService, rating_id: str, day: dt.date) -> None:
    """郑强 appeals (申诉) the day after; 玄武区's supervisor upholds it the same day."""
    rating = service.repository.rating(rating_id)
    if rating is None:
        return
    identity = identity_service()
    if rating.appeal is None:
        with frozen_at(_at(day, 10)):
            request = AppealRequest(
                reason="评价对象有误：评价人当日办理的是其他部门事项",
                evidence=["窗口叫号记录（演示）", "办件登记簿（演示）"],
            )
            service.appeal(_staff(identity, XUANWU_MARKET), rating_id, request, correlation_id=CORRELATION)
            rating = service.repository.rating(rating_id)
    if rating is not None and rating.appeal is not None and rating.appeal.state is AppealState.PENDING:
        with frozen_at(_at(day, 16)):
            decision = AppealDecisionRequest(outcome=AppealState.UPHELD, reason="叫号记录显示评价人未在本窗口办理")
            service.decide_appeal(_staff(identity, COUNTY_SUPERVISOR), rating_id, decision, correlation_id=CORRELATION)


def _working_days_before(days: Calendar, today: dt.date, count: int) -> dt.date:
    day, counted = today, 0
    while counted < count or not days.is_workday(day):
        day -= dt.timedelta(days=1)
        counted += days.is_workday(day)
    return day


def _working_days_after(days: Calendar, day: dt.date, count: int) -> dt.date:
    counted = 0
    while counted < count:
        day += dt.timedelta(days=1)
        counted += days.is_workday(day)
    return day


def _forget() -> None:
    _forget_cached()
    ratings_service_module.ratings_service.cache_clear()
