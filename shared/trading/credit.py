"""The seeded credit lists (demo): a stand-in for the national credit platform's query."""

from __future__ import annotations

JUDGMENT_DEFAULTERS = "失信被执行人名单"
TAX_OFFENDERS = "重大税收违法失信主体名单"

# 苏州虎丘示例贸易有限公司 (the seed's second enterprise) is listed as a judgment defaulter
SEEDED: dict[str, tuple[str, ...]] = {
    "91320505MA27QH4N9H": (JUDGMENT_DEFAULTERS,),
    "91320583MA1XT0PK2R": (JUDGMENT_DEFAULTERS, TAX_OFFENDERS),
}


class SeededCreditList:
    def listings(self, uscc: str) -> list[str]:
        return list(SEEDED.get(uscc, ()))
