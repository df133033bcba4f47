"""Finding serials: which serials match a set of filters (search report, export, labels)."""
