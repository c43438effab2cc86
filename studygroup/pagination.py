"""Pages of long lists without counting the whole list.

A province's staff see a million members' texts; ``COUNT(*)`` over all of them took longer than
the page itself. The paginator counts at most ``COUNT_CAP`` rows, which the database stops at: a
list longer than that says "more than 1,000" and offers its first pages, which is where people
read; filters narrow the rest.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    count_cap = COUNT_CAP

    @cached_property
    def count(self):
        rows = self.object_list
        if hasattr(rows, "query"):
            # Order does not change a count; without it the database need not sort to stop early.
            return rows.order_by()[: self.count_cap + 1].count()
        return len(rows)

    @property
    def capped(self) -> bool:
        """More rows than counted: ``count`` is the cap plus one and the last pages are not offered."""
        return self.count > self.count_cap

    @cached_property
    def num_pages(self):
        if self.capped:
            return max(1, self.count_cap // self.per_page)
        return super().num_pages
