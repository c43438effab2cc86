"""Tests for plans.importer: pure functions, no database, no Django settings.

Run: .venv/bin/python -m pytest plans/tests/test_importer.py -p no:django -q
"""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from plans.importer import (
    ParsedPlan,
    PlanImportError,
    parse_plan_docx,
    parse_plan_file,
    parse_plan_text,
)

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PLAN = Path("/work/shared/reference/000_c55f6831be571b14.txt")


def read_fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def headings(plan: ParsedPlan) -> list[str]:
    return [s.heading for s in plan.sections]


def labels(plan: ParsedPlan) -> list[str]:
    return [t.label for t in plan.topics]


def section(plan: ParsedPlan, heading: str):
    return next(s for s in plan.sections if s.heading == heading)


def make_docx(blocks) -> bytes:
    """Build a .docx: a str is a paragraph, a list of rows (lists of str) is a table."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for row, values in zip(table.rows, block):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CN_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
               "十一", "十二", "十三", "十四", "十五", "十六", "十七"]


# ---------------------------------------------------------------------------
# 第X专题 style, 17 topics
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def county_plan():
    return parse_plan_text(read_fixture("county_zhuanti_2021.txt"))


class TestCountyZhuantiPlan:
    @pytest.fixture
    def plan(self, county_plan):
        return county_plan

    def test_title_year_preamble(self, plan):
        assert plan.title == "中共XX县委员会理论学习中心组2021年度学习计划"
        assert plan.year == 2021
        assert plan.preamble.startswith("为深入推进县委理论学习中心组学习制度化")
        assert plan.preamble.endswith("制定本计划。")

    def test_seventeen_topics_in_order(self, plan):
        assert labels(plan) == [f"第{n}专题" for n in CN_NUMERALS]
        first, last = plan.topics[0], plan.topics[-1]
        assert first.title == "深入学习习近平新时代中国特色社会主义思想"
        assert first.description == "系统研读《习近平谈治国理政》第三卷，把握这一思想的核心要义和实践要求。"
        assert plan.topics[1].title == "学习党史，传承红色基因"
        assert plan.topics[3].title == "学习习近平总书记关于“三农”工作的重要论述"
        assert last.title == "学习中央和省市县重要会议精神"
        assert last.description == "及时跟进学习，结合本县实际抓好贯彻落实。"

    def test_sections(self, plan):
        assert headings(plan) == [
            "指导思想", "目标要求", "学习内容", "学习形式", "保障措施",
            "县委理论学习中心组2021年学习计划安排表",
        ]
        # The content section keeps only its intro; topics are listed separately.
        assert section(plan, "学习内容").text == "围绕全年中心工作，共安排十七个专题，各专题时间可根据上级部署适当调整。"

    def test_lists_in_other_sections_stay_text(self, plan):
        forms = section(plan, "学习形式").text.split("\n")
        assert [line[:3] for line in forms] == ["（一）", "（二）", "（三）"]
        safeguards = section(plan, "保障措施").text.split("\n")
        assert [line[:2] for line in safeguards] == ["1.", "2.", "3."]
        assert not any(t.label.startswith(("（", "1")) for t in plan.topics)

    def test_schedule_rows_are_not_topics(self, plan):
        schedule = plan.sections[-1].text.split("\n")
        assert "第一专题 1月 集中学习" in schedule
        assert "第十七专题 12月 集中学习" in schedule
        assert "1" in schedule  # a row number, not a page number
        assert schedule[-1] == "注：具体时间以县委办公室通知为准。"
        assert len(plan.topics) == 17

    def test_nothing_unplaced(self, plan):
        assert plan.unplaced == []

    def test_docx_gives_same_topics_and_sections(self, plan):
        text_lines = read_fixture("county_zhuanti_2021.txt").splitlines()
        body = text_lines[: text_lines.index("附件：县委理论学习中心组2021年学习计划安排表") + 1]
        schedule = [
            ["序号", "专题", "时间", "形式"],
            ["1", "第一专题", "1月", "集中学习"],
            ["2", "第二专题", "3月", "专题研讨"],
        ]
        data = make_docx(body + [schedule, "注：具体时间以县委办公室通知为准。"])
        from_docx = parse_plan_file("计划.docx", data)

        assert from_docx.title == plan.title
        assert from_docx.year == 2021
        assert from_docx.topics == plan.topics
        assert headings(from_docx) == headings(plan)
        assert plan.sections[:5] == from_docx.sections[:5]
        assert from_docx.sections[-1].text.split("\n") == [
            "序号 | 专题 | 时间 | 形式",
            "1 | 第一专题 | 1月 | 集中学习",
            "2 | 第二专题 | 3月 | 专题研讨",
            "注：具体时间以县委办公室通知为准。",
        ]
        assert from_docx.unplaced == []


# ---------------------------------------------------------------------------
# City bureau: （一）…（十五） under 重点内容, plus 理论宣讲 / 理论研究阐释
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def city_plan():
    return parse_plan_text(read_fixture("city_bureau_2022.txt"))


class TestCityBureauPlan:
    @pytest.fixture
    def plan(self, city_plan):
        return city_plan

    def test_title_and_sections(self, plan):
        assert plan.title == "中共XX市生态环境局党组理论学习中心组2022年学习计划"
        assert plan.year == 2022
        assert headings(plan) == ["总体要求", "重点内容", "理论宣讲", "理论研究阐释", "工作要求"]

    def test_fifteen_paren_topics(self, plan):
        assert labels(plan) == [f"（{n}）" for n in CN_NUMERALS[:15]]
        assert plan.topics[0].title == "深入学习习近平新时代中国特色社会主义思想"
        assert plan.topics[14].title == "学习党的二十大精神"
        assert plan.topics[14].description == "大会召开后，及时组织专题学习。"

    def test_sub_items_stay_in_topic_description(self, plan):
        ecology = plan.topics[2]
        assert ecology.title == "学习习近平生态文明思想"
        assert ecology.description.split("\n") == [
            "重点把握以下方面：",
            "1.深刻领会生态文明建设在“五位一体”总体布局中的地位；",
            "2.坚持精准治污、科学治污、依法治污。",
        ]

    def test_title_on_its_own_line(self, plan):
        rivers = plan.topics[4]
        assert rivers.title == "学习习近平总书记关于“江河战略”的重要论述"
        assert rivers.description == "加强流域综合治理，守护好一江清水。"

    def test_paren_lists_in_other_sections_are_not_topics(self, plan):
        assert section(plan, "理论宣讲").text.startswith("（一）领导干部带头宣讲。")
        assert "（二）推出研究成果。" in section(plan, "理论研究阐释").text
        assert "（二）严格学习管理。" in section(plan, "工作要求").text
        assert len(plan.topics) == 15
        assert plan.unplaced == []

    def test_gb18030_bytes(self):
        data = read_fixture("city_bureau_2022.txt").encode("gb18030")
        plan = parse_plan_file("city.txt", data)
        assert plan.title == "中共XX市生态环境局党组理论学习中心组2022年学习计划"
        assert len(plan.topics) == 15

    def test_docx_with_tables_inside_content(self):
        """Tables anywhere are data: they never create topics and never crash."""
        docx = pytest.importorskip("docx")
        lines = read_fixture("city_bureau_2022.txt").splitlines()
        at = lines.index("（四）学习习近平总书记关于碳达峰碳中和的重要论述。研究制定我市减污降碳协同增效的具体措施。")

        document = docx.Document()
        for line in lines[:at]:
            document.add_paragraph(line)
        table = document.add_table(rows=3, cols=3)
        table.cell(0, 0).text = "（十六）"  # looks like a label, but it is a cell
        table.cell(0, 1).text = "学习时间"
        table.cell(1, 0).merge(table.cell(1, 2)).text = "合并单元格"
        table.cell(2, 1).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套表格"
        document.add_table(rows=0, cols=2)  # an empty table
        paragraph = document.add_paragraph(lines[at])
        paragraph.add_run().add_break()  # soft line break inside one paragraph
        paragraph.add_run("软回车后的说明。")
        for line in lines[at + 1:]:
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        buffer.seek(0)

        plan = parse_plan_docx(buffer)
        assert labels(plan) == [f"（{n}）" for n in CN_NUMERALS[:15]]
        ecology = plan.topics[2]
        assert ecology.description.split("\n")[-2:] == ["（十六） | 学习时间", "合并单元格"]
        assert plan.topics[3].description.split("\n") == [
            "研究制定我市减污降碳协同增效的具体措施。",
            "软回车后的说明。",
        ]
        assert headings(plan) == ["总体要求", "重点内容", "理论宣讲", "理论研究阐释", "工作要求"]


# ---------------------------------------------------------------------------
# 一、 topics at the second level
# ---------------------------------------------------------------------------


class TestSecondLevelTopics:
    def test_unnumbered_sections_with_dun_topics(self):
        plan = parse_plan_text(read_fixture("town_second_level_2023.txt"))
        # The title is broken over two lines; "附件1" above it is not part of the plan.
        assert plan.title == "中共XX镇委员会理论学习中心组2023年学习计划"
        assert plan.year == 2023
        assert plan.unplaced == ["附件1"]
        assert headings(plan) == ["指导思想", "学习专题", "学习方式", "工作要求"]
        assert labels(plan) == ["一、", "二、", "三、", "四、", "五、", "六、"]
        assert plan.topics[0].title == "学习党的二十大报告和党章"
        assert plan.topics[2].title == "学习习近平总书记关于基层治理的重要论述"
        assert plan.topics[2].description == "推广新时代“枫桥经验”，把矛盾纠纷化解在基层。"
        assert plan.topics[4].description == ""
        # 一、二、 under 工作要求 are requirements, not topics.
        assert section(plan, "工作要求").text.split("\n")[1].startswith("二、党政办负责")

    def test_topics_restarting_top_level_numbering(self):
        text = "\n".join([
            "XX局党委理论学习中心组2021年学习计划",
            "一、指导思想",
            "坚持以习近平新时代中国特色社会主义思想为指导。",
            "二、学习内容",
            "一、学习党史。重温百年党史。",
            "二、学习习近平总书记“七一”重要讲话。把握核心要义。",
            "三、学习习近平总书记关于安全生产的重要论述。压实安全责任。",
            "四、学习习近平总书记关于统一战线工作的重要论述。",
            "三、学习形式",
            "集中学习与个人自学相结合。",
            "四、工作要求",
            "一、严格考勤。",
        ])
        plan = parse_plan_text(text)
        assert headings(plan) == ["指导思想", "学习内容", "学习形式", "工作要求"]
        assert labels(plan) == ["一、", "二、", "三、", "四、"]
        # "三、" fits both the topic and the section sequence; a long title makes it a topic.
        assert plan.topics[2].title == "学习习近平总书记关于安全生产的重要论述"
        assert section(plan, "工作要求").text == "一、严格考勤。"

    def test_section_number_tie_resolved_by_known_heading(self):
        text = "\n".join([
            "XX中心2022年学习计划",
            "一、总体要求",
            "全面提高理论素养。",
            "二、学习重点",
            "一、学习党的二十大精神。",
            "二、学习新修订的党章。",
            "三、学习形式",
            "以集中学习为主。",
        ])
        plan = parse_plan_text(text)
        assert labels(plan) == ["一、", "二、"]
        assert headings(plan) == ["总体要求", "学习重点", "学习形式"]
        assert section(plan, "学习形式").text == "以集中学习为主。"

    def test_arabic_numbered_topics(self):
        text = "\n".join([
            "XX公司党委理论学习中心组2023年学习计划",
            "一、学习内容",
            "1.学习党的二十大精神。全面把握大会主题。",
            "2．学习习近平经济思想：推动企业高质量发展。",
            "二、学习形式",
            "1.集中学习。",
            "2.个人自学。",
        ])
        plan = parse_plan_text(text)
        assert [(t.label, t.title) for t in plan.topics] == [
            ("1.", "学习党的二十大精神"),
            ("2．", "学习习近平经济思想"),
        ]
        assert section(plan, "学习形式").text == "1.集中学习。\n2.个人自学。"


# ---------------------------------------------------------------------------
# Sub-lists in other sections; 专题一 style
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finance_plan():
    return parse_plan_text(read_fixture("forms_sublists_2022.txt"))


class TestSubListsInOtherSections:
    @pytest.fixture
    def plan(self, finance_plan):
        return finance_plan

    def test_only_content_items_are_topics(self, plan):
        assert labels(plan) == ["专题一", "专题二", "专题三", "专题四", "专题五", "专题六"]
        assert plan.topics[5].title == "习近平总书记关于全面从严治党的重要论述"
        assert headings(plan) == ["学习目标", "学习重点", "学习形式", "工作要求", "保障措施"]

    def test_label_alone_on_a_line(self, plan):
        third = plan.topics[2]
        assert third.title == "习近平总书记关于财政工作的重要论述"
        assert third.description == "研究深化预算管理制度改革的措施。\n要严格落实过紧日子要求。"

    def test_other_lists_stay_in_their_sections(self, plan):
        assert section(plan, "学习形式").text.count("\n") == 2
        assert section(plan, "学习形式").text.startswith("（一）集中学习研讨。")
        assert section(plan, "工作要求").text.split("\n")[2] == "3.注重学用结合。围绕财政改革重点难点问题开展调研。"
        assert section(plan, "保障措施").text == "(1)局办公室负责学习资料的征订和发放。\n(2)学习情况纳入年度目标责任考核。"
        assert plan.preamble == ""
        assert plan.unplaced == []


# ---------------------------------------------------------------------------
# Copy-paste debris
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["lf", "crlf"])
def debris_plan(request):
    text = read_fixture("district_debris_2022.txt")
    if request.param == "crlf":
        text = text.replace("\n", "\r\n")
        assert "\r\n" in text
    return parse_plan_text(text)


class TestCopyPasteDebris:
    EXPECTED_TOPICS = [
        ("（一）", "学习习近平法治思想", "深刻领会“十一个坚持”的核心要义。"),
        ("（二）", "学习党的二十大精神", "把握坚持全面依法治国的新部署新要求。"),
        ("（三）", "学习“枫桥经验”相关论述", "探索矛盾纠纷多元化解新路径。\n重点抓好人民调解工作。"),
    ]

    @pytest.fixture
    def plan(self, debris_plan):
        return debris_plan

    def test_title_survives_tags_and_full_width_digits(self, plan):
        assert plan.title == "中共XX区司法局党组理论学习中心组２０２２年学习计划"
        assert plan.year == 2022
        assert plan.preamble == "为扎实推进区司法局党组理论学习中心组学习，提高领导班子运用法治思维推动工作的能力，制定本计划。"

    def test_topics_with_mixed_parens_unified(self, plan):
        assert [(t.label, t.title, t.description) for t in plan.topics] == self.EXPECTED_TOPICS

    def test_sections_clean_of_markup_and_page_numbers(self, plan):
        assert headings(plan) == ["指导思想", "学习重点", "学习形式"]
        assert section(plan, "指导思想").text == "坚持以习近平法治思想为指导，把学习成果转化为推进法治XX建设的实际成效。"
        assert section(plan, "学习形式").text == "１．集中学习。每月一次，由党组书记主持。\n２．个人自学。利用“学习强国”平台开展日常学习。"
        everything = json.dumps(plan.to_dict(), ensure_ascii=False)
        for debris in ("<p", "&nbsp;", "nbsp", "<br", "- 2 -", "第 3 页", "\\r", "\\u00a0", "\\u3000"):
            assert debris not in everything

    def test_garbage_goes_to_unplaced(self, plan):
        assert plan.unplaced == ["首页 > 理论学习 > 正文", "********", "打印本页 关闭窗口"]

    def test_half_width_majority_is_kept(self):
        plan = parse_plan_text("XX学习计划\n一、学习内容\n(一)学习甲。\n(二)学习乙。\n（三）学习丙。")
        assert labels(plan) == ["(一)", "(二)", "(三)"]


# ---------------------------------------------------------------------------
# Encodings and file dispatch
# ---------------------------------------------------------------------------


class TestParsePlanFile:
    def test_gb18030_fixture(self):
        data = (FIXTURES / "township_gb18030_2024.txt").read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        plan = parse_plan_file("乡党委计划.TXT", data)
        assert plan.title == "中共XX乡委员会理论学习中心组2024年学习计划"
        assert plan.year == 2024
        assert labels(plan) == ["专题一", "专题二", "专题三"]
        assert plan.topics[0].title == "学习习近平总书记关于“三农”工作的重要论述"
        assert headings(plan) == ["学习内容", "学习形式"]
        assert section(plan, "学习形式").text.startswith("（一）集中学习。")

    def test_utf8_bom(self):
        data = "\ufeff" + read_fixture("forms_sublists_2022.txt")
        plan = parse_plan_file("plan.txt", data.encode("utf-8"))
        assert plan.title == "XX县财政局党组2022年理论学习中心组学习计划"

    def test_utf16_from_notepad(self):
        data = read_fixture("forms_sublists_2022.txt").encode("utf-16")
        assert len(parse_plan_file("plan.txt", data).topics) == 6

    def test_docx_path(self, tmp_path):
        path = tmp_path / "plan.docx"
        path.write_bytes(make_docx(read_fixture("forms_sublists_2022.txt").splitlines()))
        plan = parse_plan_docx(str(path))
        assert labels(plan) == ["专题一", "专题二", "专题三", "专题四", "专题五", "专题六"]
        assert plan.topics[2].description == "研究深化预算管理制度改革的措施。\n要严格落实过紧日子要求。"

    @pytest.mark.parametrize("name", ["plan.pdf", "plan", "plan.doc"])
    def test_unsupported_types(self, name):
        with pytest.raises(PlanImportError):
            parse_plan_file(name, b"whatever")

    def test_corrupt_docx(self):
        with pytest.raises(PlanImportError):
            parse_plan_file("plan.docx", b"PK\x03\x04 not really a zip")


# ---------------------------------------------------------------------------
# Small cases
# ---------------------------------------------------------------------------


class TestEdgeCases:
    def test_empty_text(self):
        plan = parse_plan_text("  \n\r\n\t")
        assert plan.to_dict() == {
            "title": "", "year": None, "preamble": "", "sections": [], "topics": [], "unplaced": [],
        }

    def test_to_dict_shape(self):
        plan = parse_plan_text("XX学习计划\n一、学习内容\n第一专题：学习党章。逐条学习。")
        assert plan.to_dict() == {
            "title": "XX学习计划",
            "year": None,
            "preamble": "",
            "sections": [{"heading": "学习内容", "text": ""}],
            "topics": [{"label": "第一专题", "title": "学习党章", "description": "逐条学习。"}],
            "unplaced": [],
        }

    def test_year_falls_back_to_body_and_chinese_numerals(self):
        assert parse_plan_text("XX党委中心组学习计划\n为做好2025年学习，制定本计划。").year == 2025
        assert parse_plan_text("XX党委中心组二〇二三年度学习计划").year == 2023

    def test_no_sections_keeps_everything_in_preamble(self):
        plan = parse_plan_text("XX支部学习计划\n第一段说明。\n第二段说明。")
        assert plan.preamble == "第一段说明。\n第二段说明。"
        assert plan.sections == []
        assert plan.topics == []

    def test_heading_with_inline_text(self):
        plan = parse_plan_text("XX学习计划\n一、指导思想：坚持以党的创新理论武装头脑。\n二、学习要求。按时参加。")
        assert [(s.heading, s.text) for s in plan.sections] == [
            ("指导思想", "坚持以党的创新理论武装头脑。"),
            ("学习要求", "按时参加。"),
        ]

    def test_zhuanti_sentence_in_other_section_is_not_a_topic(self):
        plan = parse_plan_text("XX学习计划\n一、学习形式\n第一专题由党组书记领学。")
        assert plan.topics == []
        assert plan.sections[0].text == "第一专题由党组书记领学。"

    def test_field_lines_inside_a_topic_are_not_headings(self):
        text = "\n".join([
            "XX学习计划",
            "一、学习内容",
            "第一专题：学习党章",
            "学习时间：3月",
            "学习形式：集中学习",
            "学习篇目：",
            "《中国共产党章程》",
            "第二专题：学习党史",
            "二、学习要求",
            "按时参加。",
        ])
        plan = parse_plan_text(text)
        assert headings(plan) == ["学习内容", "学习要求"]
        assert labels(plan) == ["第一专题", "第二专题"]
        assert plan.topics[0].description == "学习时间：3月\n学习形式：集中学习\n学习篇目：\n《中国共产党章程》"

    def test_numbering_going_back_is_a_list_not_a_section(self):
        plan = parse_plan_text("XX学习计划\n一、指导思想\n坚持学习。\n二、工作要求\n一、严格考勤。\n二、按时补学。")
        assert headings(plan) == ["指导思想", "工作要求"]
        assert section(plan, "工作要求").text == "一、严格考勤。\n二、按时补学。"

    def test_lead_in_line_is_not_a_title(self):
        plan = parse_plan_text("XX局党组理论学习中心组年度学习要点\n具体安排如下：\n一、学习内容\n（一）学习党章。")
        assert plan.title == "XX局党组理论学习中心组年度学习要点"
        assert plan.preamble == "具体安排如下："

    def test_garbage_inside_a_section_is_reported(self):
        plan = parse_plan_text("XX学习计划\n一、指导思想\n坚持学习。\n——————\n责任编辑：张三")
        assert plan.sections[0].text == "坚持学习。"
        assert plan.unplaced == ["——————", "责任编辑：张三"]

    def test_importable_without_django(self):
        code = "import sys, plans.importer; assert 'django' not in sys.modules; assert 'docx' not in sys.modules"
        subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)


# ---------------------------------------------------------------------------
# The real reference plan (not shipped with the project)
# ---------------------------------------------------------------------------


@pytest.mark.skipif(not REFERENCE_PLAN.exists(), reason="reference plan not available")
def test_reference_county_government_plan():
    plan = parse_plan_file(REFERENCE_PLAN.name, REFERENCE_PLAN.read_bytes())
    assert plan.title == "中共XX县人民政府党组理论学习中心组2020年度理论学习计划"
    assert plan.year == 2020
    assert len(plan.topics) == 17
    assert labels(plan) == [f"第{n}专题" for n in CN_NUMERALS]
    assert plan.topics[0].title == "学习习近平新时代中国特色社会主义思想"
    assert plan.topics[-1].title == "学习中央、省、市、县重要会议精神和其他相关学习内容"
    assert headings(plan)[:5] == ["指导思想", "目标要求", "学习内容", "学习形式", "保障措施"]
    assert len(plan.sections) == 6
    assert "安排表" in plan.sections[5].heading
    assert section(plan, "学习形式").text.startswith("1.固定课。")
    assert section(plan, "保障措施").text.count("\n") == 3  # four items, all text
    assert plan.preamble.startswith("2020年是")
    assert plan.unplaced == []
