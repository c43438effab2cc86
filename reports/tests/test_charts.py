"""Charts drawn for print: whole numbers on the axis of counts, labels that never touch."""

import re

import pytest

from reports import charts

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = pytest.mark.documents


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#555">([^<]+)<', svg)


def test_counts_get_whole_numbers_on_the_axis():
    spec = charts.chart("bar", "各类学习次数", ["集中学习", "专题研讨"], [{"name": "次数", "values": [6, 3]}])
    ticks = _tick_labels(str(charts.svg(spec)))
    assert ticks == ["0", "2", "4", "6", "8"]


def test_measures_that_are_not_counts_keep_their_steps():
    spec = charts.chart("line", "平均时长", ["1月", "2月"], [{"name": "小时", "values": [2.5, 5.5]}])
    assert _tick_labels(str(charts.svg(spec))) == ["0", "1.5", "3", "4.5", "6"]


def test_labels_that_do_not_fit_their_slot_wrap_or_slant():
    short = charts.chart("bar", "t", ["1月", "2月", "3月"], [{"name": "n", "values": [1, 2, 3]}])
    assert "rotate(" not in str(charts.svg(short))
    assert "<tspan" not in str(charts.svg(short))

    nine = [f"县{name}局党组" for name in ("政府", "教育", "卫健", "财政", "发改", "农业农村", "城关镇", "河口镇", "石桥乡")]
    wrapped = str(charts.svg(charts.chart("bar", "t", nine, [{"name": "n", "values": [1] * 9}])))
    assert wrapped.count("<tspan") == 9  # two lines each, side by side without touching

    many = [f"中共青山县第{n}党组" for n in range(20)]
    slanted = str(charts.svg(charts.chart("bar", "t", many, [{"name": "n", "values": [1] * 20}])))
    assert "rotate(-35" in slanted
