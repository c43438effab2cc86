"""Copy detection: scores on constructed pairs, candidates through the LSH bands, scope."""

import pytest
from django.utils import timezone

from members.work import services, similarity
from members.work.models import SimilarityCheck, WorkKind
from members.work.tests.factories import WorkMeetingFactory

BASE = """党的二十大报告深刻阐述了中国式现代化的中国特色和本质要求，为新时代新征程指明了前进方向。作为县教育局的一名党员干部，我在这次集中学习中反复研读原文，对教育、科技、人才一体推进有了更深的理解。
教育是国之大计、党之大计。必须坚持以人民为中心发展教育，加快建设高质量教育体系，发展素质教育，促进教育公平。我县农村学校多、留守儿童多，办好家门口的每一所学校是群众最朴素的期盼。
结合分管工作，我认为要在三个方面下功夫：一是推进城乡学校共同体建设，让优质师资流动起来；二是抓好“双减”落地，把课后服务做实做细；三是加强思政课建设，落实立德树人根本任务。
学习贯彻不能停留在口头上。我将带头深入基层学校调研，把发现的问题列出清单，逐项整改，以实实在在的成效检验学习成果。"""

EDITED = BASE.replace("作为县教育局的一名党员干部", "作为一名教育系统的领导干部").replace(
    "我县农村学校多、留守儿童多", "青山县农村学校点多面广、留守儿童比例较高"
) + "\n同时，要加强家校社协同育人，形成工作合力。"

REORDERED = "\n".join(reversed(BASE.split("\n")))

UNRELATED = """今年以来，我们围绕乡村振兴战略，聚焦产业兴旺这个重点，大力发展茶叶、中药材和生态养殖三大特色产业。全镇新建标准化茶园八百亩，培育农民专业合作社十二家，带动一千二百余户群众增收。
在基础设施方面，完成通组公路硬化三十公里，新建农村饮水安全工程五处，人居环境整治实现全覆盖。下一步，我们将继续抓好项目建设，壮大村集体经济，推动农业农村现代化迈出新步伐。
防汛工作方面，镇里组织了三次应急演练，排查地质灾害隐患点十四处，储备了充足的防汛物资，确保群众安全度汛。"""


def test_identical_text_scores_one():
    result = similarity.compare(BASE, BASE)
    assert result.score == pytest.approx(1.0)
    assert result.own_spans
    assert result.other_spans


def test_lightly_edited_text_scores_high():
    assert similarity.compare(EDITED, BASE).score > 0.75


def test_reordered_paragraphs_still_score_high():
    result = similarity.compare(REORDERED, BASE)
    assert result.score > 0.95
    assert len(result.own_spans) >= 3  # each moved paragraph is a shared passage


def test_unrelated_text_scores_low():
    assert similarity.compare(UNRELATED, BASE).score < 0.1
    assert similarity.compare(UNRELATED, BASE).own_spans == []


def test_passages_point_at_the_original_text():
    text = "引言部分完全不同的话。" + BASE.split("\n")[1]
    result = similarity.compare(text, BASE)
    start, end = result.own_spans[0]
    assert text[start:end].startswith("教育是国之大计")


def test_signatures_estimate_jaccard():
    a = similarity.signature(similarity.shingle_hashes(similarity.normalise(BASE)[0]))
    b = similarity.signature(similarity.shingle_hashes(similarity.normalise(REORDERED)[0]))
    c = similarity.signature(similarity.shingle_hashes(similarity.normalise(UNRELATED)[0]))
    assert similarity.estimated_jaccard(a, b) > 0.8
    assert similarity.estimated_jaccard(a, c) < 0.1


@pytest.mark.django_db
def test_submission_finds_the_closest_text_of_the_group_and_year(world):
    meeting = WorkMeetingFactory(group=world.groups.bureau)

    def submit(user, title, body, group=None):
        work = services.work_create(
            by=user, kind=WorkKind.REFLECTION, group=group or world.groups.bureau, title=title, body=body,
            meeting=meeting if group is None else WorkMeetingFactory(group=group),
        )
        return services.work_submit(work=work, by=user)

    original = submit(world.other_member, "原文", BASE)
    submit(world.other_member, "无关", UNRELATED)
    copy = submit(world.member, "抄的", EDITED)
    check = SimilarityCheck.objects.filter(work=copy).get()
    assert check.closest_work == original
    assert check.score > 0.75
    assert check.flagged
    assert check.own_passages
    assert check.other_text == BASE
    # Another group's identical text is not compared (same group and year only).
    elsewhere = submit(world.township_member, "别处", BASE, group=world.groups.township)
    assert SimilarityCheck.objects.get(work=elsewhere).closest_work is None


@pytest.mark.django_db
def test_meeting_material_text_is_compared(world, tmp_path, settings):
    from django.core.files.base import ContentFile

    from sessions.models import Material

    settings.MEDIA_ROOT = tmp_path
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    material = Material(group=world.groups.bureau, meeting=meeting, title="学习资料汇编", uploaded_by=world.staff,
                        original_name="汇编.txt")
    material.file.save("a.txt", ContentFile(BASE.encode()), save=False)
    material.save()
    work = services.work_create(
        by=world.member, kind=WorkKind.REFLECTION, group=world.groups.bureau, title="照抄材料", body=REORDERED,
        meeting=meeting,
    )
    services.work_submit(work=work, by=world.member)
    check = SimilarityCheck.objects.get(work=work)
    assert check.closest_work is None
    assert check.closest_label == "学习资料汇编"
    assert check.score > 0.95


@pytest.mark.django_db
def test_resubmission_does_not_match_itself(world):
    meeting = WorkMeetingFactory(group=world.groups.bureau)
    work = services.work_create(
        by=world.member, kind=WorkKind.REFLECTION, group=world.groups.bureau, title="心得", body=BASE, meeting=meeting
    )
    work = services.work_submit(work=work, by=world.member)
    work = services.work_return(work=work, by=world.staff, comment="再改改")
    work = services.work_submit(work=work, by=world.member)
    latest = work.similarity_checks.order_by("-checked_at", "-pk").first()
    assert latest.closest_work is None
    assert latest.score == 0
    assert timezone.now() >= latest.checked_at
