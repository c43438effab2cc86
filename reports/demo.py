"""Demo reviews, bulletin, inspection and 述学 for ``seed_demo`` (after plans, meetings, work).

Idempotent: each thing is looked up first and created only when missing.
"""

from datetime import date, timedelta

from django.utils import timezone

from members.models import User
from reports import services
from reports.models import Bulletin, HalfYearReview, Inspection, Period, RectificationItem, StudyAccount


def _last_half(today: date) -> tuple[int, str]:
    return (today.year, Period.FIRST_HALF) if today.month > 6 else (today.year - 1, Period.SECOND_HALF)


def seed(result: dict) -> None:
    staff = User.objects.get(username="demo-staff")
    leader = User.objects.get(username="demo-leader")
    today = timezone.localdate()
    year, period = _last_half(today)
    groups = [result["county_group"], *result["unit_groups"]]

    # A submitted review of the last half for every group of the county.
    for group in groups:
        if not HalfYearReview.objects.filter(group=group, year=year, period=period).exists():
            review = services.review_create(group=group, year=year, period=period, by=staff)
            services.review_submit(review=review, by=staff)
    # The education bureau's review has been read and commented by the county.
    bureau_review = HalfYearReview.objects.get(group=result["unit_groups"][1], year=year, period=period)
    if bureau_review.status == HalfYearReview.Status.SUBMITTED:
        services.review_mark_read(review=bureau_review, by=leader, comment="总结全面，问题查找准确。下半年要把调研成果转化落实好。")

    # An issued bulletin of the county for that half.
    if not Bulletin.objects.filter(organization=result["county"], year=year, period=period).exists():
        bulletin = services.bulletin_create(organization=result["county"], year=year, period=period, by=staff)
        services.bulletin_update(
            bulletin=bulletin, by=staff,
            good_practices="县教育局党组坚持“第一议题”制度，每次党组会首先学习习近平总书记最新重要讲话精神；"
            "城关镇党委把中心组学习课堂搬到田间地头，开展现场教学。",
            common_problems="个别单位专题研讨准备不充分，发言照本宣科；少数单位存在会后补记学习记录的情况；"
            "心得体会质量参差不齐。",
            observation_findings="上半年县委宣传部对6家单位开展巡听旁听，现场点评指出问题，督促整改落实。",
            requirements="各单位要对照通报查找差距，于下月底前报送整改情况；县委宣传部将适时开展“回头看”。",
            issuing_organ="中共青山县委宣传部",
            addressees="各乡镇党委，县直各单位党委（党组）理论学习中心组",
        )
        services.bulletin_issue(bulletin=bulletin, by=staff, document_code="青宣", document_serial=3)

    # An inspection of the agriculture bureau with items in every state.
    group = result["unit_groups"][5]
    inspection = Inspection.objects.filter(organization=result["county"], group=group).first()
    if inspection is None:
        inspection = services.inspection_create(
            organization=result["county"], group=group, held_on=today - timedelta(days=60),
            inspectors="县委宣传部督导组（宋佳宁等3人）", scope="学习计划、会议记录、考勤、心得体会、调研报告",
            findings="学习计划执行总体较好，但存在研讨不深、记录不全、补课不及时等问题。",
            follow_up_on=today + timedelta(days=20), by=staff,
        )
        owner = group.memberships.current().order_by("pk").first().user
        specs = [
            ("专题研讨发言准备不充分，个别成员照本宣科", "研讨前印发学习资料，提前确定重点发言人", -10, []),
            ("第二季度两次集中学习缺少会议记录", "补齐记录，指定专人负责记录", 30, ["start"]),
            ("3名成员缺席后未及时补课", "督促补课并提交补课笔记", -5, ["start", "report"]),
            ("调研课题与中心工作结合不紧", "重新确定2个调研课题", -20, ["start", "report", "confirm"]),
            ("学习报道未及时发布", "会后3日内发布报道", 15, ["start", "report", "reopen"]),
        ]
        for finding, measures, days, steps in specs:
            item = services.item_create(inspection=inspection, finding=finding, measures=measures,
                                        deadline=today + timedelta(days=days), owner=owner, by=staff)
            for step in steps:
                note = {"start": "已召开专题会议部署整改。", "report": "已完成整改，材料已上传。",
                        "confirm": "回头看：整改到位。", "reopen": "回头看：报道仍未发布，请继续整改。"}[step]
                item = services.item_transition(item=item, action=step, note=note, by=staff)

    # 述学 of the education bureau, with the county leader's comment.
    bureau = result["unit_groups"][1]
    account_year = today.year - 1 if today.month < 12 else today.year
    if not StudyAccount.objects.filter(group=bureau, year=account_year).exists():
        account = services.account_create(group=bureau, year=account_year, by=staff)
        account = services.account_update(
            account=account, by=staff, title=account.title,
            text="一年来，县教育局党组理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，"
            "严格落实“第一议题”制度，全年开展集中学习和专题研讨，围绕教育强县开展调查研究。\n"
            "存在的不足：理论联系实际还不够紧密，调研成果转化不够。\n下一步，将进一步完善学习制度，推动学习成果转化为工作实效。",
        )
        account = services.account_submit(account=account, by=staff)
        services.account_comment(account=account, by=leader, comment="学习扎实，特色鲜明。要在学用结合上再下功夫，推动调研成果落地见效。")
    assert RectificationItem.objects.filter(inspection=inspection).count() >= 5

    # The issued bulletin's and the submitted reviews' PDFs, built now (by the worker where there
    # is one; in the embedded demo at once), so they download at once in a fresh clone.
    frozen = [
        *Bulletin.objects.filter(organization=result["county"], status=Bulletin.Status.ISSUED),
        *HalfYearReview.objects.filter(group__in=groups, year=year, period=period).exclude(status=HalfYearReview.Status.DRAFT),
    ]
    for document in frozen if result.get("build_pdfs", True) else []:
        services.build_request(document=document, by=staff)
