"""Writes demo_roster.xlsx beside this file: a county's roster of 30 units and 400 people, as an
office would fill the template (unit cells merged over each unit's people, some e-mail addresses).
Run ``python members/tests/data/make_demo_roster.py`` after changing it; the file is committed."""

from pathlib import Path

from openpyxl import Workbook

BUREAUS = (
    "水利", "交通运输", "自然资源", "住房和城乡建设", "商务", "文化和旅游", "民政", "人力资源和社会保障",
    "生态环境", "审计", "统计", "市场监督管理", "应急管理", "医疗保障", "林业", "司法", "科学技术",
    "工业和信息化", "退役军人事务", "信访", "数据", "乡村振兴",
)
TOWNS = ("柳林镇", "白沙镇", "高坪镇", "清水镇", "龙潭乡", "桃源乡", "青石乡", "双河镇")
BUREAU_TITLES = ("党组书记、局长", "党组成员、副局长", "党组成员、副局长", "纪检监察组组长", "党组成员、副局长",
                 "办公室主任", "副局长", "机关党委书记", "科长", "科长", "科长", "副科长", "副科长", "科员")
TOWN_TITLES = ("党委书记", "党委副书记、镇长", "党委副书记", "人大主席", "纪委书记", "组织委员", "宣传委员",
               "武装部长", "副镇长", "统战委员", "副镇长", "党政办主任", "党建办主任", "干事")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国红梅志强海燕文华春生秀英晓东丽娟振华玉兰国强桂芳明辉雪梅永刚淑珍卫东新民金凤德胜小平建军丽华长青美玲宏伟"


def units():
    for bureau in BUREAUS:
        yield f"中共青山县{bureau}局党组", f"县{bureau[:4]}局党组", "党组", "部门", BUREAU_TITLES
    for town in TOWNS:
        yield f"中共青山县{town}委员会", f"{town}党委", "党委", "乡镇", TOWN_TITLES


def main():
    book = Workbook()
    sheet = book.active
    sheet.title = "单位"
    sheet.append(["青山县理论学习中心组花名册（2027年）"])
    sheet.append(["单位名称", "简称", "上级单位", "类型", "层级"])
    groups = book.create_sheet("中心组")
    groups.append(["中心组名称", "所属单位"])
    people = book.create_sheet("人员")
    people.append(["青山县各单位理论学习中心组成员名单"])
    people.append(["序号", "单位", "姓名", "职务", "手机号码", "电子邮箱", "中心组", "组内职务"])
    listed = list(units())
    total, number = 400, 0
    for index, (name, short_name, kind, level, titles) in enumerate(listed):
        sheet.append([name, short_name, "中共青山县委员会", kind, level])
        groups.append([f"{name}理论学习中心组", short_name])
        size = total // len(listed) + (1 if index < total % len(listed) else 0)
        first_row = people.max_row + 1
        for seat in range(size):
            number += 1
            person = SURNAMES[(number * 7) % len(SURNAMES)] + GIVEN[(number * 2) % len(GIVEN):][:2]
            role = "组长" if seat == 0 else "副组长" if seat == 1 else "学习秘书" if seat == size - 1 else "成员"
            email = f"qs{number:03d}@qingshan.example.gov.cn" if number % 5 == 0 else ""
            people.append([number, name if seat == 0 else None, person, titles[seat % len(titles)],
                           f"1370100{number:04d}", email, short_name, role])
        people.merge_cells(start_row=first_row, start_column=2, end_row=people.max_row, end_column=2)
    for worksheet, widths in ((sheet, (34, 18, 20, 8, 8)), (groups, (46, 20)), (people, (6, 34, 10, 20, 14, 30, 20, 10))):
        for column, width in zip("ABCDEFGH", widths):
            worksheet.column_dimensions[column].width = width
    book.save(Path(__file__).with_name("demo_roster.xlsx"))


if __name__ == "__main__":
    main()
