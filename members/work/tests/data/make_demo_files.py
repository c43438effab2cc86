"""Writes the demo files for trying 考学 and online study after importing the demo roster
(``members/tests/data/demo_roster.xlsx``): ``theory_bank.docx`` (a question bank as an office
writes it in Word) and ``xuexi_export.xlsx`` (a 学习强国 administrator's monthly export for the 400
people of the roster, with a title row and three people the roster does not have). Run
``python members/tests/data/../../work/tests/data/make_demo_files.py``; the files are committed."""

from pathlib import Path

from docx import Document
from openpyxl import Workbook

HERE = Path(__file__).parent
BANK = HERE.parent.parent / "demo_data" / "theory_bank.txt"


def bank() -> None:
    document = Document()
    for line in BANK.read_text("utf-8").splitlines():
        document.add_paragraph(line)
    document.save(HERE / "theory_bank.docx")


def xuexi() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "积分明细"
    sheet.append(["学习强国学习积分导出（2026年11月）"])
    sheet.append(["序号", "姓名", "手机号", "所在组织", "本月积分", "总积分"])
    for number in range(1, 401):
        points = 0 if number % 17 == 0 else 300 + (number * 37) % 900
        sheet.append([number, f"学员{number:03d}", f"1370100{number:04d}", "青山县", points, points * 6])
    for extra, phone in enumerate(("13999990001", "13999990002", "13999990003"), start=401):
        sheet.append([extra, f"外单位学员{extra}", phone, "白水县", 500, 3000])
    book.save(HERE / "xuexi_export.xlsx")


if __name__ == "__main__":
    bank()
    xuexi()
