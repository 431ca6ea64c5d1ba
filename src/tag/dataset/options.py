"""Defaults of ``tag dataset``'s options, apart from the code that uses them so the
command line can show them without importing torch."""

DEFAULT_TOP_K = 5  # labels kept per captioned clip
DEFAULT_BATCH = 8  # clips embedded together
DEFAULT_MAX_DURATION = 10.0  # seconds, longest composed clip
DEFAULT_MARGIN = 0.05  # cosine lead of the top label over the second for a single event
DEFAULT_MAX_EVENTS = 3
