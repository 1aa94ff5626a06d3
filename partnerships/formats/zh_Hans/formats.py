"""Simplified Chinese number formats as CLDR has them (1,234,567.89).

Django's own zh_Hans formats group by four with no separator, which readers of
financial figures in agreements do not expect; dates stay Django's (2026年1月5日).
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
