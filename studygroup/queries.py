"""Query helpers shared by the apps' selectors."""

from django.db.models import F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce


def count_subquery(queryset) -> Coalesce:
    """The number of rows of ``queryset`` (filtered on an ``OuterRef``) as a correlated subquery.

    A list annotated this way counts for the rows of its page only. ``Count()`` over a join
    groups every row in scope before the page is cut: a province's 10,000 plans or groups."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
