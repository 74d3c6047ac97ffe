"""What delivery reads from the catalogue: whether an address's region code is a
known division (GB/T 2260, as the catalogue holds them) and a department's
name for the sender label. Through the catalogue's service, cached per
process (divisions and departments change a few times a year)."""

from __future__ import annotations

from functools import cache

from shared.catalog import api as catalog_api


class Directory:
    def __init__(self) -> None:
        self._children: dict[str, frozenset[str]] = {}
        self._departments: dict[str, dict[str, str]] = {}

    @staticmethod
    def _catalog() -> catalog_api.CatalogService:
        return catalog_api.CatalogService()  # the catalogue's service loads on first use

    def is_known_region(self, code: str) -> bool:
        """True when `code` is a city or county division the catalogue knows."""
        try:
            parent = catalog_api.parent_region(code)
        except ValueError:
            return False
        if parent is None:
            return False  # a province is too coarse for an address
        if parent not in self._children:
            catalog = self._catalog()
            codes: set[str] = set()
            cursor: str | None = None
            while True:
                page = catalog.list_regions(parent_code=parent, level=None, limit=100, cursor=cursor)
                codes.update(region.code for region in page.items)
                cursor = page.next_cursor
                if not cursor:
                    break
            self._children[parent] = frozenset(codes)
        return code in self._children[parent]

    def department_name(self, department_id: str, region_code: str) -> str:
        """The department's name (for the sender label), or its id when unknown."""
        if region_code not in self._departments:
            catalog = self._catalog()
            names: dict[str, str] = {}
            cursor: str | None = None
            while True:
                page = catalog.list_departments(region_prefix=region_code, limit=100, cursor=cursor)
                names.update({department.id: department.name for department in page.items})
                cursor = page.next_cursor
                if not cursor:
                    break
            self._departments[region_code] = names
        return self._departments[region_code].get(department_id, department_id)


@cache
def directory() -> Directory:
    return Directory()
