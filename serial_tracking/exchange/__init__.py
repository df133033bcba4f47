"""Exchanging serials with other programs: export of the search result (xlsx, csv)."""
