from django.conf import settings

from members.work.models import FieldVisit, MemberWork, SimilarityCheck, WorkKind, WorkStatus


def check_demo_work():
    """From the full seed (studygroup/tests/test_demo.py): a believable year of members' work."""
    work = MemberWork.objects.all()
    statuses = set(work.filter(kind=WorkKind.REFLECTION).values_list("status", flat=True))
    assert {WorkStatus.ACCEPTED, WorkStatus.SUBMITTED, WorkStatus.RETURNED, WorkStatus.DRAFT} <= statuses
    assert set(work.values_list("kind", flat=True)) == set(WorkKind.values)
    assert set(work.filter(kind=WorkKind.ARTICLE).values_list("level", flat=True)) >= {"national", "provincial", "city", "county"}
    assert FieldVisit.objects.exists()
    assert work.with_late().filter(late=True).exists()
    flagged = SimilarityCheck.objects.filter(score__gte=settings.WORK_COPY_FLAG_SCORE).count()
    assert 0 < flagged < SimilarityCheck.objects.count() / 10  # a few near-copies, not everyone
    assert work.filter(author__username="demo-member", status=WorkStatus.RETURNED).exists()

