"""Demo members' work for ``seed_demo``: a believable year for the county group and the unit
groups that have meetings — reflections in every state (accepted, waiting, returned with a
reason, drafts, missing), a few near-copies and late ones, study notes, self-study plans,
research topics with field visits and reports, articles at several levels, lectures.

Runs after the meetings' demo (it writes reflections for the meetings members attended).
Idempotent: each item is found by author and title first. Written through the services, so
history, search entries and copy checks are real; the evidence timestamps (written, submitted,
reviewed) are then set to believable moments after each meeting, as if entered then.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from members.models import Membership, User, current_q
from members.work import search, services, similarity
from members.work.models import MemberWork, ResearchTopic, SearchEntry, TextFingerprint, WorkKind, WorkStatus
from studygroup.permissions import remembering

OPENINGS = [
    "这次集中学习，{title}，让我对党的创新理论有了更系统的把握。",
    "参加{title}，聆听辅导、交流研讨，我感到思想上又一次受到洗礼。",
    "围绕{title}，我提前通读了学习资料汇编，会上又认真听取了大家的发言，收获很大。",
    "{title}内容丰富、针对性强，结合分管工作谈几点体会。",
]
MIDDLES = [
    "一是要在学深悟透上下功夫。理论学习不能浅尝辄止，必须原原本本读原著、学原文、悟原理，把蕴含其中的立场观点方法转化为推动工作的思路举措。",
    "二是要在联系实际上见实效。对照县里今年确定的重点任务，我分管的领域还存在项目推进慢、群众反映问题办理不及时等短板，要列出清单，逐项抓好整改。",
    "基层调研中我发现，一些村级组织服务能力不强，群众办事还要多跑路。要把“高效办成一件事”落到实处，推动更多事项就近办、网上办。",
    "县域经济发展的关键在产业。要立足茶叶、中药材、竹木加工等特色资源，延链补链强链，让群众在产业发展中有更多获得感。",
    "安全生产责任重于泰山。要始终绷紧安全这根弦，坚持“管行业必须管安全”，把隐患排查整治做在前面。",
    "教育是最大的民生之一。要持续推进城乡学校共同体建设，让农村孩子在家门口就能上好学。",
    "作风建设永远在路上。要力戒形式主义、官僚主义，少开会、开短会，把更多时间用在抓落实上。",
    "要坚持以人民为中心，把群众的急难愁盼作为工作的出发点，在就业、医疗、养老等方面多办实事。",
    "要加强生态保护，守住青山绿水。对河道采砂、违规占用林地等问题要敢于较真碰硬，决不以牺牲环境换取一时发展。",
    "学习的目的在于运用。我将把学习体会带到分管部门的支部学习中，与同志们一起交流，推动形成比学赶超的氛围。",
]
CLOSINGS = [
    "下一步，我将坚持学以致用、用以促学，以实实在在的工作成效检验学习成果。",
    "今后我将持续加强学习，自觉把学习成果转化为推动高质量发展的具体行动。",
    "我将以这次学习为契机，带头深入基层、带头解决问题，努力交出满意答卷。",
]
RETURN_REASONS = [
    "内容较为空泛，请结合分管工作谈具体体会和下一步打算。",
    "与学习资料原文重复较多，请用自己的话谈认识。",
    "字数偏少，请充实联系实际的部分。",
]
ACCEPT_COMMENTS = ["", "", "联系实际较好。", "体会深刻，可在交流材料中选用。"]
RESEARCH_TOPICS = [
    (1, "县域特色产业链延伸情况调研", ["石桥乡茶叶专业合作社", "县经开区竹木加工园", "河口镇中药材种植基地"]),
    (1, "农村基层治理“积分制”运行情况调研", ["城关镇东门社区", "河口镇新民村"]),
    (2, "义务教育优质均衡发展情况调研", ["石桥乡中心小学", "县第二中学"]),
    (2, "优化营商环境“高效办成一件事”落实情况调研", ["县政务服务中心", "县市场监管局窗口"]),
]
ARTICLES = [
    ("以“高效办成一件事”撬动营商环境整体提升", "求是网", "national"),
    ("在乡村全面振兴中走好县域特色发展之路", "江北日报", "provincial"),
    ("推动城乡学校共同体建设的青山实践", "临川日报", "city"),
    ("抓实基层治理积分制，激活乡村治理新动能", "临川党建", "city"),
    ("坚持学用结合，推动理论学习走深走实", "青山通讯", "county"),
]
LECTURES = [
    ("party_class", "赓续红色血脉，凝聚奋进力量", "县委党校报告厅", "全县新任科级干部", 120),
    ("preaching", "深入学习贯彻全会精神", "河口镇新民村文化礼堂", "村“两委”干部和党员群众", 65),
    ("ideology_class", "青年学子的使命与担当", "青山县第一中学", "高一年级学生", 300),
]


def _aware(day: date, hour=20):
    from datetime import datetime

    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, rng_minute(day)))


def rng_minute(day: date) -> int:
    return (day.toordinal() * 7) % 60


AREAS = ["分管的教育工作", "乡镇联系点", "县域产业发展", "基层党建", "安全生产", "民生保障", "生态环境保护", "营商环境",
         "信访维稳", "重点项目建设", "城乡融合", "文化旅游"]
PLACES = ["石桥乡", "河口镇", "城关镇", "县经开区", "新民村", "东门社区", "竹溪村", "青山湖片区"]
FACTS = ["今年已走访{n}户群众", "梳理出问题清单{n}条", "推动{n}个项目开工", "协调解决资金{n}万元",
         "组织专题会议{n}次", "帮助{n}家企业纾困", "新增就业岗位{n}个", "整改隐患{n}处"]
THOUGHTS = ["越来越体会到", "深感", "更加清醒地认识到", "在实践中感到", "对照检视后发现"]
POINTS = ["抓落实必须从群众最关心的事情做起", "制度的生命力在于执行", "调查研究是谋事之基、成事之道",
          "干部作风直接关系群众满意度", "发展和安全必须统筹兼顾", "基层减负才能让干部把精力用在实处",
          "理论学习要和解决实际问题结合起来", "抓班子带队伍是做好工作的关键"]
PLANS = ["下一步准备在{place}开展蹲点调研", "计划年底前建立{area}工作台账", "将把{area}的短板列入明年重点任务",
         "打算每月到{place}走访一次", "要在{area}中推行清单化管理"]


def _paragraph(rng: random.Random) -> str:
    area, place = rng.choice(AREAS), rng.choice(PLACES)
    return (
        f"联系{area}实际，{rng.choice(FACTS).format(n=rng.randint(3, 260))}，我{rng.choice(THOUGHTS)}"
        f"{rng.choice(POINTS)}。"
        f"{rng.choice(PLANS).format(area=area, place=place)}，"
        f"在{place}{rng.choice(FACTS).format(n=rng.randint(2, 90))}。"
    )


def _body(rng: random.Random, title: str, author=None) -> str:
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(3, 4))]
    own = ""
    if author is not None and author.position:
        own = f"作为{author.position}，{author.name}同志{rng.choice(THOUGHTS)}{rng.choice(POINTS)}，{rng.choice(FACTS).format(n=rng.randint(2, 300))}。"
    return "\n".join([rng.choice(OPENINGS).format(title=title) + own, *paragraphs, rng.choice(CLOSINGS)])


def _near_copy(text: str) -> str:
    """What a copied reflection looks like: paragraphs moved, a few words changed."""
    paragraphs = text.split("\n")
    paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
    return "\n".join(paragraphs).replace("我", "本人", 2).replace("要", "必须", 2)


def _backdate(work: MemberWork, *, written, submitted=None, reviewed=None):
    fields = {"created_at": written, "updated_at": submitted or written}
    if submitted:
        fields.update(first_submitted_at=submitted, submitted_at=submitted)
    if reviewed:
        fields["reviewed_at"] = reviewed
    MemberWork.objects.filter(pk=work.pk).update(**fields)
    work.similarity_checks.update(checked_at=submitted or written)


def _existing(author, title):
    return MemberWork.objects.filter(author=author, title=title).first()


def _make(author, group, kind, title, *, state, written, delay_days, reviewer, rng, **fields):
    """Create one item through the services and move it to ``state``; backdate its times."""
    work = _existing(author, title)
    if work:
        return work
    work = services.work_create(by=author, kind=kind, group=group, title=title, **fields)
    submitted = written + timedelta(days=delay_days) if state != WorkStatus.DRAFT else None
    reviewed = None
    if state != WorkStatus.DRAFT:
        work = services.work_submit(work=work, by=author)
        if state == WorkStatus.ACCEPTED:
            services.work_accept(work=work, by=reviewer, comment=rng.choice(ACCEPT_COMMENTS))
        elif state == WorkStatus.RETURNED:
            services.work_return(work=work, by=reviewer, comment=rng.choice(RETURN_REASONS))
        if state in (WorkStatus.ACCEPTED, WorkStatus.RETURNED):
            reviewed = submitted + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6))
    _backdate(work, written=written, submitted=submitted, reviewed=reviewed)
    return work


def _reflections(group, reviewer, rng, now):
    from sessions.models import Attendance, Meeting

    meetings = list(
        Meeting.objects.filter(group=group, starts_at__year=now.year, ends_at__lt=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
    )
    stored = []  # (author, body) of accepted texts, for near-copies
    for index, meeting in enumerate(meetings):
        attendees = list(
            Attendance.objects.filter(meeting=meeting, status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
            .select_related("user").order_by("user__username")
        )
        subject = meeting.title.split("：")[-1]
        recent = meeting.starts_at > now - timedelta(days=45)
        for position, attendance in enumerate(attendees):
            author = attendance.user
            # Each item's own generator: a rerun makes the same decisions whatever exists already.
            rng = random.Random(f"{meeting.title}|{author.username}")
            roll = rng.random()
            if MemberWork.objects.filter(meeting=meeting, author=author, kind=WorkKind.REFLECTION).exists():
                continue
            if roll < 0.12 and author.username != "demo-member":
                continue  # not written: it shows as due on the member's page
            title = f"学习“{subject}”的心得体会"[:200]
            meeting_day = timezone.localdate(meeting.starts_at)
            written = _aware(meeting_day + timedelta(days=rng.randint(1, 6)))
            delay = 0
            body = _body(rng, subject, author)
            if roll > 0.94 and index < len(meetings) - 2:
                # Rushed out at the year's end: written and submitted weeks after the meeting.
                written = min(_aware(meeting_day + timedelta(days=rng.randint(45, 80))), now - timedelta(days=1))
            if stored and 0.88 < roll <= 0.94:
                body = _near_copy(rng.choice(stored)[1])  # copied from a colleague
            if recent:
                state = rng.choice([WorkStatus.SUBMITTED, WorkStatus.SUBMITTED, WorkStatus.DRAFT, WorkStatus.ACCEPTED])
            elif roll < 0.2:
                state = WorkStatus.RETURNED
            else:
                state = WorkStatus.ACCEPTED if roll < 0.85 else WorkStatus.SUBMITTED
            if author.username == "demo-member":
                state = {0: WorkStatus.ACCEPTED, 1: WorkStatus.RETURNED, 2: WorkStatus.DRAFT}.get(index % 4, state)
            elif position == 0 and index == len(meetings) - 1:
                state = WorkStatus.DRAFT
            _make(author, group, WorkKind.REFLECTION, title, state=state, written=written, delay_days=delay,
                         reviewer=reviewer, rng=rng, body=body, meeting=meeting)
            if state == WorkStatus.ACCEPTED:
                stored.append((author, body))
        # A study note or two per meeting.
        for attendance in attendees[:2]:
            day = timezone.localdate(meeting.starts_at)
            title = f"{day.month}月{day.day}日学习笔记"  # 5月20日, as every date of the demo is written
            note_rng = random.Random(f"note|{meeting.title}|{attendance.user.username}")
            note_body = f"学习要点（{attendance.user.name}）：\n" + "\n".join(
                [rng.choice(MIDDLES), _paragraph(note_rng), _paragraph(note_rng)]
            )
            written = _aware(timezone.localdate(meeting.starts_at), hour=11)
            _make(attendance.user, group, WorkKind.NOTE, title, state=WorkStatus.ACCEPTED, written=written,
                  delay_days=1, reviewer=reviewer, rng=rng, body=note_body, meeting=meeting)


def _self_study_plans(group, members, reviewer, rng, year):
    for position, membership in enumerate(members):
        if position % 5 == 4 and membership.user.username != "demo-member":
            continue  # a few have none yet
        body = "\n".join([
            f"{year}年个人自学计划",
            "一、精读《习近平谈治国理政》第五卷有关篇目，每月不少于两篇，撰写读书笔记。",
            "二、结合分管工作，围绕中心组年度专题开展自学，每季度至少形成一篇心得体会。",
            "三、每半年至少开展一次基层调研，形成调研报告，力争在市级以上刊物发表理论文章一篇。",
        ])
        written = _aware(date(year, 1, 8) + timedelta(days=position), hour=16)
        _make(membership.user, group, WorkKind.SELF_STUDY_PLAN, f"{year}年个人自学计划", state=WorkStatus.ACCEPTED,
              written=written, delay_days=2 if position % 7 else 80, reviewer=reviewer, rng=rng, body=body, year=year)


def _research(group, members, reviewer, rng, year, today):
    authors = [m.user for m in members[:6]]
    for index, (half, title, places) in enumerate(RESEARCH_TOPICS):
        if half == 2 and today.month < 8:
            continue
        lead = authors[index % len(authors)]
        topic = ResearchTopic.objects.filter(group=group, year=year, title=title).first() or services.research_topic_get_or_create(
            by=lead, group=group, year=year, title=title, half=half
        )
        for share, author in enumerate([lead, authors[(index + 3) % len(authors)]]):
            report_title = f"关于{title.removesuffix('调研')}的调研报告" + ("" if share == 0 else "（分报告）")
            if _existing(author, report_title):
                continue
            start = date(year, 3 if half == 1 else 8, 5 + index)
            body = "\n".join([
                f"为深入了解{title.removesuffix('调研')}，课题组于{start.month}月先后赴{'、'.join(places)}等地开展实地调研，召开座谈会{len(places)}场。",
                "一、基本情况。" + _paragraph(rng) + _paragraph(rng),
                "二、存在的问题。调研发现，部分政策落实存在“最后一公里”梗阻，基层力量不足，群众知晓率不高。",
                "三、对策建议。" + _paragraph(rng) + _paragraph(rng),
            ])
            adopted = share == 0 and index % 2 == 0
            work = services.work_create(
                by=author, kind=WorkKind.RESEARCH, group=group, title=report_title, body=body,
                research_topic=topic, occurred_on=start + timedelta(days=40), adopted=adopted,
                adoption_note="主要建议被县委常委会采纳，写入相关实施意见。" if adopted else "",
            )
            for step, place in enumerate(places):
                services.field_visit_add(report=work, by=author, visited_on=start + timedelta(days=7 * step), place=place,
                                         met_whom=rng.choice(["村“两委”干部、种植大户", "企业负责人、一线职工", "校长、教师和家长代表", "窗口工作人员、办事群众"]))
            state = WorkStatus.ACCEPTED if share == 0 else WorkStatus.SUBMITTED
            written = _aware(start + timedelta(days=30))
            if state != WorkStatus.DRAFT:
                work = services.work_submit(work=work, by=author)
                if state == WorkStatus.ACCEPTED:
                    services.work_accept(work=work, by=reviewer)
            _backdate(work, written=written, submitted=written + timedelta(days=10),
                      reviewed=written + timedelta(days=13) if state == WorkStatus.ACCEPTED else None)


def _articles_and_lectures(group, members, reviewer, rng, year, today):
    authors = [m.user for m in members]
    for index, (title, outlet, level) in enumerate(ARTICLES):
        author = authors[(index * 2) % len(authors)]
        published = min(date(year, 2 + index * 2, 12), today - timedelta(days=3))
        _make(author, group, WorkKind.ARTICLE, title, state=WorkStatus.ACCEPTED if index != 3 else WorkStatus.SUBMITTED,
              written=_aware(published + timedelta(days=2)), delay_days=1, reviewer=reviewer, rng=rng,
              outlet=outlet, level=level, occurred_on=published, url="https://example.org/articles/%d" % (index + 1),
              body="（摘要）" + rng.choice(MIDDLES))
    for index, (kind, title, place, audience, size) in enumerate(LECTURES):
        author = authors[(index * 3 + 1) % len(authors)]
        given = min(date(year, 4 + index * 2, 20), today - timedelta(days=2))
        _make(author, group, WorkKind.LECTURE, title, state=WorkStatus.ACCEPTED, written=_aware(given + timedelta(days=1)),
              delay_days=1 if index != 2 else 50, reviewer=reviewer, rng=rng, lecture_kind=kind, occurred_on=given,
              place=place, audience=audience, audience_size=size)


def _index_everything(groups):
    """Work written by earlier seeders without the services (the meetings' demo writes a few
    reflections directly): give it its search entry and fingerprint."""
    from django.contrib.contenttypes.models import ContentType

    work_type = ContentType.objects.get_for_model(MemberWork)
    indexed = SearchEntry.objects.filter(content_type=work_type).values("object_id")
    for work in MemberWork.objects.filter(group__in=groups).exclude(pk__in=indexed):
        search.index_work(work)
    unprinted = MemberWork.objects.filter(group__in=groups, first_submitted_at__isnull=False).exclude(
        pk__in=TextFingerprint.objects.values("work_id")
    ).exclude(body="")
    for work in unprinted:
        similarity.fingerprint_store(work)
    from sessions.models import Minutes

    minutes_type = ContentType.objects.get_for_model(Minutes)
    indexed = SearchEntry.objects.filter(content_type=minutes_type).values("object_id")
    for minutes in Minutes.objects.filter(meeting__group__in=groups).exclude(pk__in=indexed).select_related("meeting"):
        search.index_minutes(minutes)


def seed(result: dict) -> dict:
    from sessions.models import Meeting

    rng = random.Random(20260601)
    now = timezone.now()
    today = timezone.localdate()
    reviewer = User.objects.get(username="demo-staff")
    groups = [result["county_group"], *result["unit_groups"]]
    groups = [g for g in groups if Meeting.objects.filter(group=g).exists()] or [result["county_group"]]
    before = MemberWork.objects.count()
    with remembering():  # the reviewers' and authors' roles do not change while their work is made
        _seed_groups(groups, reviewer, rng, now, today)
    _index_everything(groups)
    return {"work_created": MemberWork.objects.count() - before, **seed_tests_and_online_study(result)}


def _seed_groups(groups, reviewer, rng, now, today):
    for group in groups:
        members = list(
            Membership.objects.filter(current_q(), group=group).exclude(role=Membership.Role.SECRETARY)
            .select_related("user").order_by("role", "user__username")
        )
        if not members:
            continue
        _reflections(group, reviewer, rng, now)
        _self_study_plans(group, members, reviewer, rng, today.year)
        _research(group, members, reviewer, rng, today.year, today)
        _articles_and_lectures(group, members, reviewer, rng, today.year, today)


# --- 考学 and online-platform study ----------------------------------------------------------------

DEMO_TEST_TITLE = "理论学习中心组第四季度理论测试"


def seed_tests_and_online_study(result: dict) -> dict:
    """A question bank of the county (read from the Word-like text bank), one published test for
    the county's group that three members have handed in (one short answer marked), and three
    months of 学习强国 points and 干部网络学院 hours for the group's members. Idempotent."""
    from datetime import timedelta
    from decimal import Decimal
    from pathlib import Path

    from members.work import theory
    from members.work.models import OnlineStudyRecord, Question, TestAttempt, TheoryTest
    staff = User.objects.get(username="demo-staff")
    group = result["county_group"]
    county = group.organization
    rng = random.Random(20261201)
    created = {"questions": 0, "attempts": 0, "online_records": 0}
    test = TheoryTest.objects.filter(title=DEMO_TEST_TITLE, organization=county).first()
    if test is None:
        with remembering():
            now = timezone.now()
            test = theory.theory_test_save(
                by=staff, groups=[group], organization=county, title=DEMO_TEST_TITLE,
                instructions="请独立作答，开始后限时30分钟，每题作答后自动保存。",
                opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=5), paper_mode="fixed",
            )
            # The bank as an office writes it (numbered questions, A. options, 答案：), read as the import reads it.
            bank = (Path(__file__).parent / "demo_data" / "theory_bank.txt").read_bytes()
            _parsed, questions = theory.questions_import(
                by=staff, organization=county, data=bank, filename="题库.txt", apply=True, test=test,
            )
            created["questions"] = len(questions)
            theory.theory_test_publish(by=staff, test=test)
            members = [seat.user for seat in Membership.objects.filter(current_q(), group=group)
                       .exclude(user__username="demo-member").select_related("user").order_by("user__username")[:3]]
            for person in members:
                attempt = theory.attempt_start(by=person, test=test)
                for item in attempt.questions:
                    question = Question.objects.get(pk=item["q"])
                    right = rng.random() < 0.75
                    value = _demo_answer(question, right)
                    theory.attempt_answer(by=person, attempt=attempt, question_id=question.pk, value=value)
                theory.attempt_submit(by=person, attempt=attempt)
                created["attempts"] += 1
            first = TestAttempt.objects.filter(test=test, needs_marking=True).first()
            if first is not None:
                short = Question.objects.get(pk=next(i["q"] for i in first.questions if Question.objects.get(pk=i["q"]).kind == "short"))
                theory.attempt_mark(by=staff, attempt=first, marks={short.pk: (Decimal("8"), "要点基本完整，联系实际不够。")})
    today = timezone.localdate()
    months = [(today.replace(day=1) - timedelta(days=31 * back)).replace(day=1) for back in (3, 2, 1)]
    people = [seat.user for seat in Membership.objects.filter(current_q(), group=group).select_related("user").order_by("user__username")]
    for index, person in enumerate(people):
        if index % 6 == 5:
            continue  # a few with nothing recorded: the review lists them
        for month in months:
            for platform, measure, value in (("xuexi", "points", 800 + rng.randint(0, 900)), ("ganbu", "hours", rng.randint(2, 12))):
                _record, made = OnlineStudyRecord.objects.get_or_create(
                    person=person, platform=platform, period=month, defaults={"measure": measure, "value": Decimal(value)},
                )
                created["online_records"] += int(made)
    return created


def _demo_answer(question, right: bool):
    from members.work.questions import LETTERS

    if question.kind == "judge":
        return "true" if question.answer == right else "false"
    if question.kind == "single":
        return question.answer if right else LETTERS[(LETTERS.index(question.answer) + 1) % len(question.options)]
    if question.kind == "multiple":
        return list(question.answer) if right else list(question.answer)[:1]
    if question.kind == "blank":
        return list(question.answer) if right else ["", ""]
    return "新质生产力是创新起主导作用，摆脱传统经济增长方式的先进生产力质态，要因地制宜发展。"
