"""The Serial Tracking workspace: a starting point for a new user, one set of shortcuts, cards that
repeat neither each other nor the shortcuts."""

import pytest

pytest.importorskip("selenium")

from tests.browser.desk import Desk

SHORTCUTS = [
	"Serial Number Search",
	"Serial Count",
	"Serial Number",
	"Serial Traceability",
	"SN-tracked Items",
	"Settings",
]


def test_the_workspace_starts_a_new_user_and_repeats_no_link(desk: Desk):
	desk.open("/app/serial-tracking")
	desk.wait(
		lambda d: len(d.find_elements("css selector", ".widget.shortcut-widget-box")) >= len(SHORTCUTS),
		"the workspace's shortcuts did not show",
	)
	desk.idle()
	page = desk.find(".layout-main-section").text
	assert "Start here" in page
	for step in ("1. Switch an item on", "2. Receive with SN codes", "3. Deliver by scanning"):
		assert step in page, f"no step {step!r}"
	shortcuts = desk.js(
		"""return Array.from(document.querySelectorAll(".shortcut-widget-box .widget-title"))
			.map((t) => t.textContent.trim())"""
	)
	assert shortcuts == SHORTCUTS
	# every link of the cards once, and none a shortcut already opens
	links = desk.js(
		"""return Array.from(document.querySelectorAll(".links-widget-box .link-item .link-text"))
			.map((t) => t.textContent.trim())"""
	)
	assert links and len(links) == len(set(links)), links
	targets = {"Serial Number", "Serial Count", "Item", "Serial Tracking Settings"}
	assert not targets & set(links) and not set(SHORTCUTS) & set(links), links
	desk.snap("w1-workspace")
	desk.readme_shot("workspace.png")
