"""The ratings context's public module. Other contexts and the functions import
only this module and `shared.ratings.events`.

Names load on first use (`shared.platform.public`, D-045): importing this
module costs nothing at cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.platform.public import lazy_exports

if TYPE_CHECKING:
    from shared.ratings.consumers import ratings_consumer
    from shared.ratings.routes import router
    from shared.ratings.service import RatingsService, TargetFacts, ratings_service

__all__ = ["RatingsService", "TargetFacts", "ratings_consumer", "ratings_service", "router"]

__getattr__ = lazy_exports(
    globals(),
    {
        "router": ".routes",
        "RatingsService": ".service",
        "TargetFacts": ".service",
        "ratings_service": ".service",
        "ratings_consumer": ".consumers",
    },
)
