"""Demo plans for ``seed_demo``: the county committee group's seventeen-topic plan, a plan for
each unit group below it (published, one approved, one submitted, one still a draft), a topic
handed down (上下同题) that some groups took up and others did not, and a call for next year's
topics. Written for the demo, in the shape of real county plans.

Idempotent: a group that already has a plan for the year is left alone, so a second run
changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from members.models import Membership, User
from plans import services
from plans.models import AnnualPlan, CascadedTopic, NumberingStyle, ProposalCall, StudyForm, TopicProposal

Status = AnnualPlan.Status

PREAMBLE = (
    "为推动县委理论学习中心组学习制度化、规范化、常态化，提高领导班子运用党的创新理论指导实践、推动工作的"
    "能力，根据《中国共产党党委（党组）理论学习中心组学习规则》和上级党委年度学习安排，结合我县实际，制定本计划。"
)

SECTIONS = [
    ("指导思想", "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大和二十届历次全会精神，"
     "把学习成效体现到推动全县高质量发展的实际行动上。"),
    ("目标要求", "通过全年学习，使中心组成员理论素养、政策水平和履职能力进一步提升，做到学深悟透、融会贯通、"
     "真信笃行。全年集中学习不少于12次，专题研讨不少于4次，每名成员撰写理论文章或调研报告不少于2篇。"),
    ("学习内容", "全年安排十七个专题，具体时间可根据上级部署适当调整。"),
    ("学习形式", "1.固定课。以中心组集中学习为主，邀请专家辅导、开展专题研讨，每次确定1至2名成员重点发言。\n"
     "2.移动课。用好“学习强国”等平台开展个人自学，按月推送学习篇目。\n"
     "3.实践课。围绕重点工作开展调查研究，每半年确定2个调研课题，形成调研报告。"),
    ("保障措施", "1.加强组织领导。县委书记履行第一责任人职责，县委宣传部做好组织服务工作。\n"
     "2.严格考勤管理。因故不能参加的向组长请假，并在一周内完成补课。\n"
     "3.注重成果转化。每半年通报一次学习情况，将学习情况纳入领导班子考核。"),
]

COUNTY_TOPICS = [
    ("深入学习习近平新时代中国特色社会主义思想", "读原著、学原文、悟原理，系统把握这一思想的世界观和方法论，做到学思用贯通、知信行统一。", StudyForm.GROUP_STUDY),
    ("学习党的二十届三中全会精神", "深刻领会进一步全面深化改革的总目标和重大举措，研究我县改革任务的落实路径。", StudyForm.LECTURE),
    ("学习习近平经济思想", "把握新发展理念的丰富内涵，结合县域经济实际谋划产业布局和项目建设。", StudyForm.DISCUSSION),
    ("学习习近平总书记关于乡村全面振兴的重要论述", "聚焦产业、人才、文化、生态、组织振兴，总结示范村建设经验，查找短板弱项。", StudyForm.ON_SITE),
    ("学习习近平生态文明思想", "牢固树立绿水青山就是金山银山的理念，统筹推进流域治理和生态保护修复。", StudyForm.GROUP_STUDY),
    ("学习习近平法治思想", "提高运用法治思维和法治方式推动发展、化解矛盾、维护稳定的能力。", StudyForm.LECTURE),
    ("学习习近平文化思想", "深入挖掘本地历史文化资源，推动文化事业和文化产业协调发展。", StudyForm.READING_CLASS),
    ("学习习近平总书记关于党的建设的重要思想", "落实新时代党的建设总要求，以高质量党建引领基层治理。", StudyForm.DISCUSSION),
    ("学习习近平总书记关于意识形态工作的重要论述", "落实意识形态工作责任制，定期分析研判，守好网络阵地。", StudyForm.GROUP_STUDY),
    ("学习总体国家安全观", "统筹发展和安全，健全风险隐患排查化解机制，建设更高水平的平安县城。", StudyForm.GROUP_STUDY),
    ("学习习近平总书记关于教育、科技、人才的重要论述", "推进教育优质均衡发展，完善引才留才政策，增强县域创新能力。", StudyForm.LECTURE),
    ("学习习近平总书记关于以人民为中心的发展思想", "着力解决群众急难愁盼问题，办好年度民生实事。", StudyForm.DISCUSSION),
    ("学习习近平总书记关于调查研究的重要论述", "大兴调查研究之风，每名成员围绕分管领域确定调研课题，形成调研报告。", StudyForm.ON_SITE),
    ("学习习近平总书记关于全面从严治党的重要论述", "坚持严的基调，锲而不舍落实中央八项规定精神，持续纠治形式主义、官僚主义。", StudyForm.GROUP_STUDY),
    ("学习党章党规党纪", "原原本本学习党章和纪律处分条例，做到知敬畏、存戒惧、守底线。", StudyForm.READING_CLASS),
    ("学习党史和新中国史", "从党的百年奋斗中汲取智慧和力量，传承红色基因。", StudyForm.ONLINE),
    ("学习中央和省、市、县重要会议精神", "及时跟进学习上级重要会议和文件精神，研究贯彻落实措施。", StudyForm.GROUP_STUDY),
]
# Month of each county topic (the 安排表): seventeen topics over twelve months.
COUNTY_MONTHS = [[2], [3], [3], [4], [5], [5], [6], [7], [7], [8], [9], [9], [10], [10], [11], [11], [12]]

UNIT_TOPICS = [
    "深入学习习近平新时代中国特色社会主义思想",
    "学习党的二十届三中全会精神",
    "学习习近平总书记关于本行业工作的重要论述",
    "学习习近平法治思想，推进依法行政",
    "学习习近平总书记关于全面从严治党的重要论述",
    "学习党章党规党纪",
    "学习中央和省、市、县重要会议精神",
]

# Index in members.demo.COUNTY_UNITS → status of that unit group's plan.
UNIT_STATUS = {2: Status.APPROVED, 3: Status.SUBMITTED, 7: Status.DRAFT}
# Unit groups that take the cascaded topic up (the others do not).
TAKE_UP = (0, 1, 6)


def _leader(group):
    membership = (
        Membership.objects.current().filter(group=group, role=Membership.Role.LEADER).select_related("user").first()
    )
    return membership.user if membership else None


def _members(group, n):
    return [m.user for m in Membership.objects.current().filter(group=group).select_related("user")[:n]]


def _advance(plan, status, staff):
    """Take a draft through the real workflow up to ``status``."""
    order = [Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED]
    target = order.index(status)
    if target >= 1:
        plan = services.plan_submit(plan=plan, by=staff)
    if target >= 2:
        plan = services.plan_approve(plan=plan, by=_leader(plan.group), comment="同意。")
    if target >= 3:
        plan = services.plan_publish(plan=plan, by=staff)
    return plan


def _county_plan(group, year, staff):
    existing = AnnualPlan.objects.filter(group=group, year=year).first()
    if existing:
        return existing
    leads = _members(group, 17)
    topics = []
    for i, ((title, description, form), months) in enumerate(zip(COUNTY_TOPICS, COUNTY_MONTHS)):
        topics.append({
            "title": title, "description": description, "study_form": form, "months": months,
            "lead_members": [leads[i % len(leads)]] if leads else [],
            "readings": "《习近平谈治国理政》有关篇目\n上级党委推荐学习篇目" if i < 3 else "",
        })
    plan = services.plan_create(
        group=group, year=year, by=staff, numbering_style=NumberingStyle.DI_ZHUANTI,
        title=f"{group.organization.name}理论学习中心组{year}年度学习计划", preamble=PREAMBLE,
        sections=[{"heading": h, "text": t, "holds_topics": h == "学习内容"} for h, t in SECTIONS],
        topics=topics,
    )
    plan.schedule.filter(topic__position=1).update(speaker="市委党校教授")
    return _advance(plan, Status.PUBLISHED, staff)


def _unit_plan(group, year, staff, style):
    """A draft plan of a unit group, or None when the group already has one for the year."""
    if AnnualPlan.objects.filter(group=group, year=year).exists():
        return None
    leads = _members(group, 7)
    topics = [
        {"title": title, "description": "结合本单位职责和年度重点工作，交流学习体会，提出贯彻落实的具体措施。",
         "study_form": StudyForm.DISCUSSION if i % 3 == 2 else StudyForm.GROUP_STUDY,
         "months": [2 + i * 1 + (i // 2)], "lead_members": [leads[i % len(leads)]] if leads else []}
        for i, title in enumerate(UNIT_TOPICS)
    ]
    plan = services.plan_create(
        group=group, year=year, by=staff, numbering_style=style,
        title=f"{group.organization.name}理论学习中心组{year}年学习计划",
        preamble="为加强党组（党委）理论学习中心组学习，结合工作实际，制定本计划。",
        sections=[{"heading": h, "text": t, "holds_topics": h == "学习内容"} for h, t in SECTIONS if h != "目标要求"],
        topics=topics,
    )
    return plan


def _cascade(county_plan, staff):
    topic = county_plan.topics.get(position=0)
    cascade = CascadedTopic.objects.filter(topic__plan__group=county_plan.group, topic__plan__year=county_plan.year,
                                           topic__uid=topic.uid, month=3).first()
    if cascade is None:
        cascade = services.cascade_create(
            topic=topic, month=3, by=staff,
            note="请各单位中心组在3月份安排同一专题学习，并报送学习情况。",
        )
    return cascade


def _call(group, year, staff, proposers):
    if ProposalCall.objects.filter(group=group, year=year).exists():
        return
    call = services.call_open(
        group=group, year=year, title=f"{year}年度县委理论学习中心组学习议题征集", by=staff,
        deadline=timezone.localdate() + timedelta(days=30),
        description="请中心组成员和各单位结合分管领域和工作实际，提出下一年度学习专题建议并说明理由。",
    )
    ideas = [
        ("学习习近平总书记关于县域经济发展的重要论述", "我县正在谋划新一轮产业布局，需要统一思想、找准方向。"),
        ("学习新修订的《中国共产党纪律处分条例》", "巩固党纪学习教育成果，推动学纪知纪明纪守纪。"),
        ("学习数字政府建设有关政策", "结合“一网通办”改革，提升领导干部数字化履职能力。"),
    ]
    for person, (title, reason) in zip(proposers, ideas):
        services.proposal_submit(call=call, by=person, title=title, reason=reason)
    declined = TopicProposal.objects.filter(call=call).order_by("pk").last()
    if declined is not None:
        services.proposal_decline(proposal=declined, by=staff, reason="相关内容已列入第十一专题，不再单列。")


def seed(result: dict) -> dict:
    year = timezone.localdate().year
    staff = User.objects.get(username="demo-staff")
    county_group = result["county_group"]
    county_plan = _county_plan(county_group, year, staff)
    cascade = _cascade(county_plan, staff)
    styles = [NumberingStyle.CN_PAREN, NumberingStyle.ZHUANTI_N, NumberingStyle.CN_DUN, NumberingStyle.DI_ZHUANTI]
    for index, group in enumerate(result["unit_groups"]):
        plan = _unit_plan(group, year, staff, styles[index % len(styles)])
        if plan is None:
            continue  # seeded before: leave it as it is
        if index in TAKE_UP:  # taken up while the plan is drafted, so it is in the published text
            services.cascade_adopt(cascade=cascade, group=group, by=staff)
        _advance(plan, UNIT_STATUS.get(index, Status.PUBLISHED), staff)

    _call(county_group, year + 1, staff, _members(county_group, 3))

    sibling_staff = User.objects.filter(username="demo-other-staff").first()
    sibling_group = getattr(result["sibling"], "study_group", None)
    if sibling_staff and sibling_group:
        plan = _unit_plan(sibling_group, year, sibling_staff, NumberingStyle.DI_ZHUANTI)
        if plan is not None:
            _advance(plan, Status.PUBLISHED, sibling_staff)
    return {"county_plan": county_plan, "cascade": cascade}
