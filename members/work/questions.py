"""Reading questions (试题) for a theory test's bank from the Excel template or from a Word file in
the layouts offices use: numbered questions (1. / 1、 / （1）), options (A. / A、 / A．, several
on one line or one a line), the answer (答案： / 【答案】 / 参考答案：) and an optional 解析. The
type comes from the section headings (一、单项选择题 …) when the file has them, else from the
question's shape. Nothing here writes: ``read_questions`` returns what was found and every
problem with where it is.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SINGLE, MULTIPLE, JUDGE, BLANK, SHORT = "single", "multiple", "judge", "blank", "short"
KINDS = (SINGLE, MULTIPLE, JUDGE, BLANK, SHORT)
LETTERS = "ABCDEFGH"

SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分[:：]?)?\s*"
    r"(单项选择题?|单选题?|多项选择题?|多选题?|不定项选择题?|判断题?|是非题|填空题?|简答题?|问答题?|论述题?|材料分析题?)"
    r"\s*(?:[（(].*?[)）])?\s*[:：]?\s*$"
)
SECTION_KINDS = {
    "单项选择": SINGLE, "单选": SINGLE, "多项选择": MULTIPLE, "多选": MULTIPLE, "不定项选择": MULTIPLE,
    "判断": JUDGE, "是非": JUDGE, "填空": BLANK, "简答": SHORT, "问答": SHORT, "论述": SHORT, "材料分析": SHORT,
}
NUMBERED = re.compile(r"^\s*(?:(\d{1,3})\s*[.．、]|[（(]\s*(\d{1,3})\s*[)）])\s*(.*)$")
OPTION = re.compile(r"(?:^|(?<=\s))([A-Ha-h])\s?[.．、:：]\s?")
ANSWER = re.compile(r"^\s*(?:【\s*(?:参考)?答案\s*】|(?:参考|正确)?答案\s*[:：])\s*(.*)$")
EXPLANATION = re.compile(r"^\s*(?:【\s*解析\s*】|(?:答案)?解析\s*[:：])\s*(.*)$")
JUDGE_TRUE = {"对", "√", "✓", "✔", "正确", "是", "T", "TRUE", "Y", "YES"}
JUDGE_FALSE = {"错", "×", "✗", "✘", "X", "错误", "否", "F", "FALSE", "N", "NO"}
BLANK_MARK = re.compile(r"_{2,}|＿{2,}|（\s*）|\(\s*\)")
DIFFICULTY = {"易": 1, "简单": 1, "容易": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "较难": 3, "困难": 3, "1": 1, "2": 2, "3": 3}
KIND_LABELS = {
    "单选": SINGLE, "单选题": SINGLE, "单项选择": SINGLE, "单项选择题": SINGLE,
    "多选": MULTIPLE, "多选题": MULTIPLE, "多项选择": MULTIPLE, "多项选择题": MULTIPLE,
    "判断": JUDGE, "判断题": JUDGE, "填空": BLANK, "填空题": BLANK, "简答": SHORT, "简答题": SHORT, "问答题": SHORT,
    **{kind: kind for kind in KINDS},
}


# Limits that keep a crafted file from holding a worker: lines read, their length, errors listed.
MAX_LINES = 20000
MAX_LINE_LENGTH = 2000
MAX_PROBLEMS = 500
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024


class QuestionFileError(ValueError):
    """The file cannot be read as questions at all (its reason, in Chinese)."""


@dataclass
class ParsedQuestion:
    kind: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: object = None
    explanation: str = ""
    difficulty: int = 2
    topic: str = ""
    source: str = ""
    where: str = ""

    def as_json(self) -> dict:
        return {"type": self.kind, "stem": self.stem, "options": self.options, "answer": self.answer}


@dataclass
class QuestionProblem:
    where: str
    message: str

    def as_dict(self) -> dict:
        return {"where": self.where, "message": self.message}


@dataclass
class QuestionFile:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[QuestionProblem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"questions": [q.as_json() for q in self.questions], "errors": [p.as_dict() for p in self.problems]}


# --- answers -------------------------------------------------------------------------------------


def _letters(text: str) -> str:
    return "".join(sorted({ch for ch in text.upper() if ch in LETTERS}))


def judge_value(text: str):
    value = re.sub(r"[\s（）()。.]", "", str(text)).upper()
    if value in JUDGE_TRUE:
        return True
    if value in JUDGE_FALSE:
        return False
    return None


def split_blanks(text: str) -> list[str]:
    parts = [part.strip() for part in re.split(r"[；;|｜]|\s{2,}", str(text)) if part.strip()]
    return parts


def finish(question: ParsedQuestion, raw_answer: str, problems: list[QuestionProblem]) -> ParsedQuestion | None:
    """Settle the kind (from the shape when no heading gave it) and the answer's form; a problem
    leaves the question out."""
    where = question.where
    raw_answer = (raw_answer or "").strip()
    if not question.stem:
        problems.append(QuestionProblem(where, _("The question has no text.")))
        return None
    if not raw_answer:
        problems.append(QuestionProblem(where, _("No answer was found (write it as 答案：B).")))
        return None
    kind = question.kind
    if not kind:
        if question.options:
            kind = MULTIPLE if len(_letters(raw_answer)) > 1 else SINGLE
        elif judge_value(raw_answer) is not None:
            kind = JUDGE
        elif BLANK_MARK.search(question.stem):
            kind = BLANK
        else:
            kind = SHORT
    question.kind = kind
    if len(question.options) > len(LETTERS):
        problems.append(QuestionProblem(where, _("A question has at most %(most)s options (A to H).") % {"most": len(LETTERS)}))
        return None
    if kind in (SINGLE, MULTIPLE):
        if len(question.options) < 2:
            problems.append(QuestionProblem(where, _("A choice question needs at least two options (A. … B. …).")))
            return None
        letters = _letters(raw_answer)
        if not letters or any(LETTERS.index(letter) >= len(question.options) for letter in letters):
            problems.append(QuestionProblem(where, _("The answer “%(answer)s” does not name one of the options.") % {"answer": raw_answer}))
            return None
        if kind == SINGLE and len(letters) != 1:
            problems.append(QuestionProblem(where, _("A single-choice question has one answer, not “%(answer)s”.") % {"answer": raw_answer}))
            return None
        if kind == MULTIPLE and len(letters) < 2:
            problems.append(QuestionProblem(where, _("A multiple-choice question has at least two answers, not “%(answer)s”.") % {"answer": raw_answer}))
            return None
        question.answer = letters
    elif kind == JUDGE:
        value = judge_value(raw_answer)
        if value is None:
            problems.append(QuestionProblem(where, _("A true/false answer is 对 or 错 (√ or ×), not “%(answer)s”.") % {"answer": raw_answer}))
            return None
        question.answer, question.options = value, []
    elif kind == BLANK:
        blanks = split_blanks(raw_answer)
        expected = len(BLANK_MARK.findall(question.stem))
        if expected and len(blanks) != expected:
            problems.append(QuestionProblem(where, _(
                "The question has %(blanks)s blanks but %(answers)s answers (separate them with ；)."
            ) % {"blanks": expected, "answers": len(blanks)}))
            return None
        question.answer, question.options = blanks, []
    else:
        question.answer, question.options = raw_answer, []
    if len(question.stem) > 2000:
        problems.append(QuestionProblem(where, _("The question is longer than 2,000 characters.")))
        return None
    return question


# --- Word and plain text -----------------------------------------------------------------------------


def _docx_lines(data: bytes) -> list[str]:
    import zipfile

    from docx import Document

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(item.file_size for item in archive.infolist() if item.filename.startswith("word/")) > MAX_DOCX_XML_BYTES:
                raise QuestionFileError(_("The Word file is too large to be a question bank: split it into several files."))
    except zipfile.BadZipFile as error:
        raise QuestionFileError(_("The file could not be read as a Word document (.docx).")) from error
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a file that is not a document
        raise QuestionFileError(_("The file could not be read as a Word document (.docx).")) from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:  # some banks put each question in a table cell
        for row in table.rows:
            for cell in row.cells:
                lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return lines


def read_text_questions(lines: list[str], *, where_prefix: str = "") -> QuestionFile:
    result = QuestionFile()
    kind = ""
    current: ParsedQuestion | None = None
    answer: str | None = None
    target = "stem"

    def close():
        nonlocal current, answer
        if current is not None:
            done = finish(current, answer or "", result.problems)
            if done is not None:
                result.questions.append(done)
        current, answer = None, None

    if len(lines) > MAX_LINES:
        raise QuestionFileError(_("The file has more than %(most)s lines: split it into several files.") % {"most": MAX_LINES})
    for number, raw in enumerate(lines, start=1):
        if len(result.problems) >= MAX_PROBLEMS:
            result.problems.append(QuestionProblem("", _("More errors follow: correct these first.")))
            break
        line = re.sub(r"\s+", " ", raw.replace("\u3000", " ")).strip()
        if not line:
            continue
        where = f"{where_prefix}第{number}段"
        if len(line) > MAX_LINE_LENGTH:
            result.problems.append(QuestionProblem(where, _("A line is longer than %(most)s characters.") % {"most": MAX_LINE_LENGTH}))
            continue
        section = SECTION.match(line) if len(line) <= 60 else None
        if section:
            close()
            word = section.group(1)
            kind = next(value for key, value in SECTION_KINDS.items() if word.startswith(key))
            continue
        found = ANSWER.match(line)
        if found and current is not None:
            answer, target = found.group(1), "answer"
            continue
        found = EXPLANATION.match(line)
        if found and current is not None:
            current.explanation, target = found.group(1).strip(), "explanation"
            continue
        found = NUMBERED.match(line)
        if found:
            close()
            current = ParsedQuestion(kind=kind, stem="", where=where)
            target = "stem"
            line = found.group(3)
        if current is None:
            continue  # a title or an instruction above the first question
        options = list(OPTION.finditer(line))
        if options and options[0].start() == 0 and target in ("stem", "options"):
            for index, match in enumerate(options):
                end = options[index + 1].start() if index + 1 < len(options) else len(line)
                current.options.append(line[match.end():end].strip())
            target = "options"
            continue
        if target == "stem":
            current.stem = f"{current.stem}\n{line}".strip() if current.stem else line
        elif target == "answer":
            answer = f"{answer}\n{line}"
        elif target == "explanation":
            current.explanation = f"{current.explanation}\n{line}".strip()
        elif target == "options" and current.options:
            current.options[-1] = f"{current.options[-1]} {line}"
    close()
    if not result.questions and not result.problems:
        raise QuestionFileError(_("No numbered questions (1. / 1、 / （1）) with answers (答案：) were found in the file."))
    return result


# --- Excel -----------------------------------------------------------------------------------------

EXCEL_HEADERS = {
    "kind": ("题型", "类型", "试题类型"),
    "stem": ("题干", "题目", "试题", "试题内容"),
    "answer": ("答案", "正确答案", "参考答案"),
    "explanation": ("解析", "答案解析"),
    "difficulty": ("难度",),
    "topic": ("专题", "知识点", "所属专题"),
    "source": ("来源", "出处"),
}


def read_excel_questions(data: bytes, filename: str) -> QuestionFile:
    from members.roster import RosterError, _header_key, _text, read_roster

    try:
        sheets = read_roster(data, filename)
    except RosterError as error:
        raise QuestionFileError(str(error)) from error
    lookup = {_header_key(name): key for key, names in EXCEL_HEADERS.items() for name in names}
    result = QuestionFile()
    found_any = False
    for sheet in sheets:
        for header_index, row in enumerate(sheet.rows[:10]):
            columns, option_columns = {}, []
            for column, cell in enumerate(row):
                text = _header_key(cell)
                if text in lookup:
                    columns.setdefault(lookup[text], column)
                match = re.fullmatch(r"(?:选项)?([A-H])", _text(cell).upper().replace("选项", "")) if _text(cell) else None
                if match and ("选项" in _text(cell) or len(_text(cell)) == 1):
                    option_columns.append((match.group(1), column))
            if {"stem", "answer"} <= set(columns):
                break
        else:
            continue
        found_any = True
        option_columns.sort()
        for number, cells in enumerate(sheet.rows[header_index + 1:], start=header_index + 2):
            def cell(key, cells=cells):
                index = columns.get(key)
                return _text(cells[index]) if index is not None and index < len(cells) else ""

            if not any(_text(value) for value in cells):
                continue
            where = f"{sheet.name} 第{number}行"
            kind_text = cell("kind")
            kind = KIND_LABELS.get(kind_text.replace(" ", ""), "") if kind_text else ""
            if kind_text and not kind:
                result.problems.append(QuestionProblem(where, _(
                    "The type “%(value)s” is not one of 单选, 多选, 判断, 填空, 简答."
                ) % {"value": kind_text}))
                continue
            options = [_text(cells[index]) for _letter, index in option_columns if index < len(cells) and _text(cells[index])]
            difficulty_text = cell("difficulty")
            difficulty = DIFFICULTY.get(difficulty_text, 2 if not difficulty_text else 0)
            if not difficulty:
                result.problems.append(QuestionProblem(where, _(
                    "The difficulty “%(value)s” is not one of 易, 中, 难."
                ) % {"value": difficulty_text}))
                continue
            question = ParsedQuestion(
                kind=kind, stem=cell("stem"), options=options, explanation=cell("explanation"), difficulty=difficulty,
                topic=cell("topic"), source=cell("source"), where=where,
            )
            for text in (question.stem, *options, cell("answer")):
                if text.startswith(("=", "+", "@")) and len(text) > 1 and not text.startswith("=="):
                    result.problems.append(QuestionProblem(where, _("“%(value)s” begins like a formula: write the value itself.") % {"value": text[:40]}))
                    question = None
                    break
            if question is None:
                continue
            done = finish(question, cell("answer"), result.problems)
            if done is not None:
                result.questions.append(done)
    if not found_any:
        raise QuestionFileError(_("No header row with 题干 and 答案 was found: use the question template."))
    return result


def read_questions(data: bytes, filename: str) -> QuestionFile:
    """Questions from an .xlsx/.csv (the template) or a .docx/.txt (a bank as offices write it)."""
    name = filename.lower()
    if name.endswith((".xlsx", ".csv")):
        return read_excel_questions(data, filename)
    if name.endswith(".docx"):
        return read_text_questions(_docx_lines(data))
    if name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return read_text_questions(data.decode(encoding).splitlines())
            except UnicodeDecodeError:
                continue
        raise QuestionFileError(_("The text file is neither UTF-8 nor GBK."))
    raise QuestionFileError(_("Questions are read from .docx, .txt, .xlsx or .csv files."))


# --- the Excel template ------------------------------------------------------------------------------

TEMPLATE_HEADERS = ("题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "难度", "专题", "来源")
TEMPLATE_NOTES = (
    "填写说明",
    "1. 题型填 单选、多选、判断、填空 或 简答；难度填 易、中 或 难（不填为中）。",
    "2. 选择题的选项依次填在 选项A、选项B……（至少两个），答案填字母，如 B 或 ACD。",
    "3. 判断题答案填 对 或 错（也可填 √ 或 ×）；填空题的题干用 ____ 表示空，答案按空的顺序填写，用“；”分隔。",
    "4. 简答题的答案填参考答案，供阅卷时参考。专题填年度计划中的专题名称时，随机组卷可按专题抽题。",
    "5. 单元格中请直接填写内容，不要使用公式。导入前会先显示读取结果和每一处错误（表名、行号）。",
)


def template_workbook():
    """The question template staff download, fill and import (``read_excel_questions`` reads it)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from studygroup.documents import new_workbook

    workbook, sheet = new_workbook("试题导入模板", TEMPLATE_HEADERS)
    sheet.title = "试题"
    for header, choices in (("题型", "单选,多选,判断,填空,简答"), ("难度", "易,中,难")):
        letter = sheet.cell(row=2, column=TEMPLATE_HEADERS.index(header) + 1).column_letter
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.error, rule.errorTitle = f"请从列表中选择：{choices}", header
        sheet.add_data_validation(rule)
        rule.add(f"{letter}3:{letter}5000")
    notes = workbook.create_sheet("填写说明")
    for line in TEMPLATE_NOTES:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    notes["A1"].font = Font(bold=True, size=14)
    for row in notes.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook
