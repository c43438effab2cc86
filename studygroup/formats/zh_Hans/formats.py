"""The project's date formats for Simplified Chinese, on top of Django's own (zh_Hans).

Django writes month and day with a leading zero (05月20日) while its full date has none
(2026年5月20日); documents show both, so month and day follow the full date: 5月20日.
"""

MONTH_DAY_FORMAT = "n月j日"  # 5月20日
