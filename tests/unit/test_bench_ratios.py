"""The benchmark's target arithmetic: own costs, ratios, verdicts and throughput."""

import math

from serial_tracking.devtools import ratios


def test_own_cost_is_the_difference_from_the_untracked_document():
	assert ratios.own_cost(250.0, 200.0) == 50.0
	assert ratios.own_cost(190.0, 200.0) == -10.0


def test_own_costs_ratio_is_erpnext_over_the_app():
	costs = ratios.own_costs(app_ms=250.0, erpnext_ms=2200.0, untracked_ms=200.0)
	assert costs.app_ms == 50.0
	assert costs.erpnext_ms == 2000.0
	assert costs.ratio == 40.0


def test_an_app_cost_not_above_zero_gives_an_unbounded_ratio_unless_erpnext_costs_nothing_too():
	assert math.isinf(ratios.own_costs(app_ms=200.0, erpnext_ms=900.0, untracked_ms=200.0).ratio)
	assert math.isinf(ratios.own_costs(app_ms=190.0, erpnext_ms=900.0, untracked_ms=200.0).ratio)
	assert ratios.own_costs(app_ms=190.0, erpnext_ms=150.0, untracked_ms=200.0).ratio is None


def test_ratio_refuses_a_denominator_not_above_zero():
	assert ratios.ratio(3.0, 2.0) == 1.5
	assert ratios.ratio(3.0, 0.0) is None
	assert ratios.ratio(3.0, -1.0) is None


def test_verdicts():
	assert ratios.verdict(True) == "met"
	assert ratios.verdict(False) == "MISSED"
	assert ratios.verdict(None) == "not judged"
	assert ratios.at_least(10.0, ratios.TARGET_OWN_RATIO) is True
	assert ratios.at_least(9.9, ratios.TARGET_OWN_RATIO) is False
	assert ratios.at_least(None, ratios.TARGET_OWN_RATIO) is None
	assert ratios.at_most(1.5, ratios.TARGET_FLOOR_RATIO) is True
	assert ratios.at_most(1.51, ratios.TARGET_FLOOR_RATIO) is False
	assert ratios.at_most(None, ratios.TARGET_FLOOR_RATIO) is None


def test_throughput_and_medians():
	assert ratios.throughput(20, 10.0) == 2.0
	assert ratios.throughput(5, 0.0) == 0.0
	assert ratios.median_ms([0.1, 0.3, 0.2]) == 200.0
