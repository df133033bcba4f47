"""Command-line commands of this app; bench finds them in ``commands``."""

import click

from frappe.commands import get_site, pass_context


@click.command("serial-tracking-benchmark")
@click.option(
	"--runs",
	type=click.IntRange(min=1),
	default=5,
	show_default=True,
	help="Rounds per figure (median); the own-cost ratios are judged from 5.",
)
@click.option(
	"--sizes",
	default="1,100,1000,10000",
	show_default=True,
	help="Serials per document, separated by commas; sizes above 1,000 run one round (ERPNext's own"
	" serials take minutes there), and above the site's limit raise it inside the rolled-back round.",
)
@click.option(
	"--part",
	type=click.Choice(
		[
			"documents",
			"ratios",
			"clerks",
			"find",
			"labels",
			"import",
			"convert",
			"check",
			"scale",
			"turn",
			"all",
		]
	),
	default="documents",
	show_default=True,
	help="documents: submit/cancel beside ERPNext serials and an untracked item; ratios: the targets,"
	" own costs at 1,000 serials beside ERPNext's and at 10,000 beside the floor (the bare writes);"
	" clerks: 1, 2, 4 and 8 processes posting receipts and deliveries at once, with the app and"
	" untracked (commits its documents, cancels and deletes them: a development site; not in all); find: the search report's first page and the"
	" xlsx export at 10,000 and 100,000 serials beside ERPNext's Serial No list; labels: 1,000 labels"
	" as PDF and ZPL; import: an xlsx import of 10,000 and 100,000 SN codes; convert: converting an item"
	" of 10,000 and 100,000 ERPNext serial numbers to SN codes; check: the SN dialog's"
	" live check of a Delivery Note row of 1,000 codes; scale: lookups, pages, picking and documents on a"
	" site filled by serial-tracking-fill (in all only on such a site); turn: a one-unit receipt submitted"
	" while a receipt of 1,000 rows posts, ERPNext alone and with the app (commits its documents and"
	" cancels them: a development site; not in all).",
)
@click.option(
	"--baseline-site", help="With --part scale: an empty site to submit and cancel the same documents on."
)
@click.option(
	"--seconds",
	type=click.FloatRange(min=1),
	default=10,
	show_default=True,
	help="With --part clerks: seconds each configuration of clerks posts.",
)
@click.option("--company", help="Company of the documents [default: the site's default company].")
@click.option(
	"--warehouse", help="Warehouse to receive into and deliver from [default: the company's first]."
)
@pass_context
def serial_tracking_benchmark(
	context,
	runs: int,
	sizes: str,
	part: str,
	company: str | None,
	warehouse: str | None,
	baseline_site: str | None = None,
	seconds: float = 10,
):
	"""Time submitting and cancelling receipts and deliveries with SN codes, beside ERPNext's own serials;
	with --part, the search report, the export and label printing.

	Prints Markdown tables. Every round is rolled back: the site keeps nothing.
	"""
	import frappe

	from serial_tracking.devtools.benchmark import BenchmarkError

	try:
		counts = tuple(sorted({int(part) for part in sizes.split(",") if part.strip()}))
	except ValueError:
		raise click.BadParameter(
			"whole numbers separated by commas, such as 1,100,1000", param_hint="--sizes"
		)
	if not counts or counts[0] < 1:
		raise click.BadParameter("at least one number, each 1 or more", param_hint="--sizes")

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		for name, measure in _PARTS.items():
			if part == name or (part == "all" and name not in _NOT_IN_ALL):
				measure(
					part=part,
					counts=counts,
					runs=runs,
					company=company,
					warehouse=warehouse,
					baseline_site=baseline_site,
					seconds=seconds,
				)
	except BenchmarkError as e:
		raise click.ClickException(str(e))
	finally:
		frappe.destroy()


def _say(line: str) -> None:
	click.echo(line, err=True)


def _documents(*, counts, runs, company, warehouse, **_options) -> None:
	import frappe

	from serial_tracking.devtools.benchmark import find_place, peak_memory, render, run

	place = find_place(company, warehouse)
	_say(f"Site {frappe.local.site}, company {place.company}, warehouse {place.warehouse}")
	figures = run(place, counts, runs, progress=_say)
	_say(f"{counts[-1]:,} serials: peak memory of the submit, traced")
	click.echo(render(figures, counts, runs, peak_memory(place, counts[-1])))


def _ratios(*, runs, company, warehouse, **_options) -> None:
	import os

	import frappe

	from serial_tracking.devtools import bench_ratios
	from serial_tracking.devtools.benchmark import find_place

	place = find_place(company, warehouse)
	click.echo(f"\nTargets as ratios, site {frappe.local.site}, load average {_load()}\n")
	click.echo(bench_ratios.run(place, runs, progress=_say))
	click.echo(f"\nLoad average at the end: {_load()} ({os.cpu_count()} cores)")


def _clerks(*, company, warehouse, seconds, **_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_clerks
	from serial_tracking.devtools.benchmark import find_place

	place = find_place(company, warehouse)
	click.echo(f"\nClerks posting at once, site {frappe.local.site}, load average {_load()}\n")
	click.echo(bench_clerks.run(place, seconds=seconds, progress=_say))
	click.echo(f"\nLoad average at the end: {_load()}")


def _load() -> str:
	import os

	return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def _find(**_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_find

	click.echo(f"\nSearch report and export, site {frappe.local.site}\n")
	bench_find.run()


def _labels(**_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_labels

	click.echo(f"\nLabels, site {frappe.local.site}\n")
	click.echo(bench_labels.run())


def _import(**_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_import

	click.echo(f"\nImport, site {frappe.local.site}\n")
	bench_import.run()


def _convert(**_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_convert

	click.echo(f"\nConverting from ERPNext's serials, site {frappe.local.site}\n")
	bench_convert.run()


def _check(*, runs, company, warehouse, **_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_check
	from serial_tracking.devtools.benchmark import find_place

	click.echo(f"\nLive check of a row, site {frappe.local.site}\n")
	click.echo(bench_check.run(find_place(company, warehouse), runs=max(runs, 5)))


def _turn(*, runs, company, warehouse, **_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_turn
	from serial_tracking.devtools.benchmark import find_place

	click.echo(f"\nWaiting for a big document, site {frappe.local.site}\n")
	click.echo(bench_turn.run(find_place(company, warehouse), runs=runs, progress=_say))


def _scale(*, part, baseline_site, **_options) -> None:
	import frappe

	from serial_tracking.devtools import bench_scale
	from serial_tracking.devtools.benchmark import BenchmarkError

	if bench_scale.filled():
		click.echo(f"\nA filled site: {bench_scale.serials():,} serials, site {frappe.local.site}\n")
		click.echo(bench_scale.run(baseline_site, progress=_say))
	elif part == "scale":
		raise BenchmarkError("this site is not filled: run serial-tracking-fill on a site made for it")


#: Each part of the benchmark, in the order ``all`` runs them.
_PARTS = {
	"documents": _documents,
	"ratios": _ratios,
	"clerks": _clerks,
	"find": _find,
	"labels": _labels,
	"import": _import,
	"convert": _convert,
	"check": _check,
	"turn": _turn,
	"scale": _scale,
}
#: Parts ``all`` leaves out: ``turn`` and ``clerks`` commit their documents.
_NOT_IN_ALL = {"turn", "clerks"}


@click.command("serial-tracking-fill")
@click.option("--serials", type=int, default=1_000_000, show_default=True, help="Serial Number rows to make.")
@click.option(
	"--items", type=int, default=200, show_default=True, help="SN-tracked items to make (FILL-0001 ...)."
)
@click.option(
	"--warehouses", type=int, default=20, show_default=True, help="Warehouses to make under the company."
)
@click.option("--yes", is_flag=True, help="Fill a site that is not a development site (no developer_mode).")
@pass_context
def serial_tracking_fill(context, serials: int, items: int, warehouses: int, yes: bool):
	"""Fill a development site with serials and their circulation log, set-based, for
	``serial-tracking-benchmark --part scale``: three log rows a serial, realistic statuses and dates.

	Commits as it goes; make a site for it (see docs/benchmarks.md, "A million serials").
	"""
	import frappe

	from serial_tracking.devtools.fill import FillError, fill

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		report = fill(serials, items, warehouses, yes=yes, progress=lambda line: click.echo(line, err=True))
		click.echo(report.render())
	except FillError as e:
		raise click.ClickException(str(e))
	finally:
		frappe.destroy()


commands = [serial_tracking_benchmark, serial_tracking_fill]
