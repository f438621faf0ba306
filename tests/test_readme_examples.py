"""The README's "Questions analysts ask" run on a refreshed warehouse give exactly the README output."""

from __future__ import annotations

import pytest

from decoupling import readme_examples

EXAMPLES = readme_examples.parse(readme_examples.README.read_text(encoding="utf-8"))


def test_the_readme_has_five_query_examples():
    assert len(EXAMPLES) >= 5
    for example in EXAMPLES:
        assert example.argv[0] == "query" and len(example.argv) == 2, example.command
        assert example.output.strip(), f"no output shown for {example.command}"


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"example{i}" for i in range(1, len(EXAMPLES) + 1)]
)
def test_example_output_matches_the_readme(example, refreshed):
    output = readme_examples.run(example, str(refreshed["settings"].warehouse))
    assert output == example.output, (
        f"{example.command}\n--- README\n{example.output}--- now\n{output}"
        "(regenerate: python -m decoupling.readme_examples --write --warehouse FILE)"
    )


def test_rewrite_restores_stale_outputs(refreshed):
    text = readme_examples.README.read_text(encoding="utf-8")
    first = EXAMPLES[0]
    stale = text[: first.start] + "stale\n" + text[first.end :]
    assert readme_examples.parse(stale)[0].output == "stale\n"
    assert readme_examples.rewrite(stale, str(refreshed["settings"].warehouse)) == text
