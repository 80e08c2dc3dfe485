"""What a link is (app/core/links.py): the one definition ingest, the detector and the output guard read."""

from __future__ import annotations

import pytest

from app.core.config import PROJECT_ROOT
from app.core.links import COMMON_DOMAINS, links_in


def test_a_link_with_its_scheme_and_an_address_without_one_are_both_read():
    assert links_in("Code: https://github.com/a/b and more in robotics.ntua.gr.") == ["https://github.com/a/b", "robotics.ntua.gr"]


@pytest.mark.parametrize("text, link", [
    ("Listeners who sign in at mathpod-listeners.fm/account get the transcript.", "mathpod-listeners.fm/account"),
    ("Notebooks at doubledescent-cast.co/ep41.", "doubledescent-cast.co/ep41"),
])
def test_another_top_level_domain_is_a_link_when_a_path_follows_it(text, link):
    assert links_in(text) == [link]


@pytest.mark.parametrize("text", [
    "The podcast lives at mathpod.fm.",  # another domain without a path: a word, as far as this can tell
    "Sites in the U.S./Canada and a Ph.D/MSc track, i.e./e.g. both.",
])
def test_dotted_words_are_not_links(text):
    assert links_in(text) == []


def test_every_link_of_the_real_corpus_has_a_common_domain_so_the_path_rule_reads_no_word_of_it():
    corpus = (PROJECT_ROOT / "data" / "abstracts.txt").read_text(encoding="utf-8")
    bare = [link for link in links_in(corpus) if "://" not in link and "@" not in link and not link.startswith("www.")]
    assert bare and all(link.split("/")[0].rsplit(".", 1)[-1].lower() in COMMON_DOMAINS for link in bare)
