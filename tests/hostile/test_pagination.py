"""Unbounded pagination and fan-out: tag lists and referrers that never end."""

from __future__ import annotations

from tests.hostile.conftest import check_error


def test_repo_tags_stops_at_a_cap_when_pages_never_end(h):
    reg = h.registry("tags-endless-pages")
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile", seconds=5)
    check_error(o, r"tag.*(limit|too many|exceed)|(limit|too many|exceed).*tag")


def test_repo_tags_stops_when_the_next_page_repeats(h):
    reg = h.registry("tags-repeated-next")
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile", seconds=5)
    check_error(o, r"repeat|loop|same|pages")
    assert len(reg.requests) < 100, f"{len(reg.requests)} requests for a list that loops"


def test_discover_stops_at_a_cap_when_referrer_pages_never_end(h):
    reg = h.registry("referrers-endless-pages")
    o = h.run("discover", "--plain-http", reg.ref(), seconds=5)
    check_error(o, r"referrer.*(limit|too many|exceed)|(limit|too many|exceed).*referrer")


def test_discover_stops_at_a_cap_on_total_nodes(h):
    reg = h.registry("referrers-fan-out")
    o = h.run("discover", "--plain-http", reg.ref(), seconds=5)
    check_error(o, r"referrer.*(limit|too many|exceed)|(limit|too many|exceed).*referrer")
