# English pages are for Danish colleagues who prefer English: day-month-year dates.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "j F"
# The product's own named patterns (see peerprogram/formats/da/formats.py).
WEEKDAY_DATE_FORMAT = "l j F Y"  # Tuesday 5 January 2027
WEEKDAY_DATETIME_FORMAT = "l j F Y, H:i"
WEEKDAY_MONTH_DAY_FORMAT = "l j F"
MONTH_DAY_TIME_FORMAT = "j F H:i"
ABBR_DATE_FORMAT = "j M Y"  # 5 Jan 2027
ABBR_DATETIME_FORMAT = "j M Y H:i"
ABBR_MONTH_DAY_FORMAT = "j M"
ABBR_WEEKDAY_DATE_FORMAT = "D j M Y"  # Tue 5 Jan 2027
ABBR_WEEKDAY_MONTH_DAY_FORMAT = "D j M"
ABBR_WEEKDAY_MONTH_DAY_TIME_FORMAT = "D j M H:i"
ABBR_YEAR_MONTH_FORMAT = "M Y"
ABBR_MONTH_YEAR2_FORMAT = "M y"
