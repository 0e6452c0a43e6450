"""The conference dashboard's chart of meanings as a browser draws it, on a laptop and on
a phone: every count whole, every label in its column, text large enough to read."""

from __future__ import annotations

import pytest

from contacts import queries
from contacts.queries import MeaningCount
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)
# Each row of the chart, in the chart's units: where its label, its bar and its count lie,
# and the size of its text as shown, in CSS pixels.
ROWS = """() => {
  const svg = document.querySelector(".meaning-chart");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll("[data-meaning]"), (row) => {
    const [label, count] = Array.from(row.querySelectorAll("text"), (text) => text.getBBox());
    const bar = row.querySelector("rect").getBBox();
    return {
      label: [label.x, label.x + label.width],
      bar: [bar.x, bar.x + bar.width],
      count: [count.x, count.x + count.width],
      chart: svg.viewBox.baseVal.width,
      font: 13 * scale,
    };
  });
}"""


@pytest.fixture
def big_fair(monkeypatch, alice, conference) -> str:
    """Return the dashboard's address, with a big fair's counts and a long meaning."""
    counts = [
        MeaningCount("prospect", "Prospect", "#0d6efd", 28078),
        MeaningCount("customer", "Customer", "#6f42c1", 33622),
        MeaningCount("seats", "Wants more seats next quarter, call purchasing", "#198754", 9),
        MeaningCount("", "Unclassified", "#adb5bd", 1),
    ]
    totals = {"total": 45000, "done": 0, "dropped": 0, "overdue": 0}
    monkeypatch.setattr(queries, "dashboard_counts", lambda cards, today: (totals, counts))
    return conference.get_absolute_url()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_every_count_and_label_fits_the_chart(request, big_fair, device):
    page = request.getfixturevalue(device)
    log_in(page, "alice")
    page.goto(big_fair)
    rows = page.evaluate(ROWS)
    assert len(rows) == 4
    for row in rows:
        assert row["label"][0] >= 0 and row["label"][1] < row["bar"][0]
        assert row["bar"][1] < row["count"][0] and row["count"][1] <= row["chart"]
        assert row["font"] >= 11
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
