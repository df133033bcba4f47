"""Framework-free rules of serial tracking.

Nothing in this package imports Frappe: it works on plain data and returns
problems as values (:class:`Problem`), which the adapters turn into translated
messages. It is unit-tested without a site.
"""
