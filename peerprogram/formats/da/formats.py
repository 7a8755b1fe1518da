# Danish keeps Django's own formats (django/conf/locale/da); these are the product's own
# named patterns, read by the `day` filter (peerprogram.templatetags.dates) and
# peerprogram.dates.pattern: a weekday or a short month, in each language's own order.
WEEKDAY_DATE_FORMAT = "l j. F Y"  # tirsdag 5. januar 2027
WEEKDAY_DATETIME_FORMAT = "l j. F Y, H:i"
WEEKDAY_MONTH_DAY_FORMAT = "l j. F"  # tirsdag 5. januar
MONTH_DAY_TIME_FORMAT = "j. F H:i"
ABBR_DATE_FORMAT = "j. b Y"  # 5. jan 2027
ABBR_DATETIME_FORMAT = "j. b Y H:i"
ABBR_MONTH_DAY_FORMAT = "j. b"  # 5. jan
ABBR_WEEKDAY_DATE_FORMAT = "D j. b Y"  # tir 5. jan 2027
ABBR_WEEKDAY_MONTH_DAY_FORMAT = "D j. b"  # tir 5. jan
ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT = "D j. b H:i"
ABBR_YEAR_MONTH_FORMAT = "M Y"
ABBR_MONTH_YEAR2_FORMAT = "M y"
