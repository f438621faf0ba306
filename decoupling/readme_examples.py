"""The README's examples: parse them, run them, and rewrite their outputs.

An example is a ```sh block holding one `decoupling query "..."` or `decoupling claims` command,
followed by a ```text block with its output. The test suite runs every example on a warehouse
refreshed from the snapshot and requires the README's output exactly. An output whose last line
is `...` is an excerpt: the README shows the first lines of the output, and those must match.
After changing the analyses, regenerate the outputs with

    python -m decoupling.readme_examples --write --warehouse data/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from decoupling.settings import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
EXCERPT = "...\n"  # the last line of an excerpt's output
EXAMPLE = re.compile(
    r"```sh\n(?P<command>decoupling (?:query|claims)\b(?:(?!```).)*?)\n```\n\n?"
    r"```text\n(?P<output>.*?)```",
    re.DOTALL,
)


@dataclass
class Example:
    command: str  # as written in the README
    output: str  # as written in the README
    start: int  # span of the output text in the README
    end: int

    @property
    def argv(self) -> list[str]:
        """The command's arguments after `decoupling`."""
        words = shlex.split(self.command)
        return words[1:]

    @property
    def excerpt_lines(self) -> int | None:
        """How many leading output lines the README shows, when it shows an excerpt."""
        if not self.output.endswith(EXCERPT):
            return None
        return self.output.count("\n") - 1

    def shown(self, output: str) -> str:
        """What the README shows of a full output: all of it, or its first lines and `...`."""
        lines = self.excerpt_lines
        if lines is None:
            return output
        return "".join(output.splitlines(keepends=True)[:lines]) + EXCERPT


def parse(text: str) -> list[Example]:
    return [
        Example(m.group("command"), m.group("output"), m.start("output"), m.end("output"))
        for m in EXAMPLE.finditer(text)
    ]


def run(example: Example, warehouse: str) -> str:
    """The example's output, as `decoupling` prints it (stdout; stderr and exit code checked)."""
    from decoupling import cli

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main([*example.argv, "--warehouse", warehouse])
    if code != 0:
        raise RuntimeError(f"{example.command!r} exited {code}: {stderr.getvalue().strip()}")
    return stdout.getvalue()


def rewrite(text: str, warehouse: str) -> str:
    """The README with every example's output replaced by what the warehouse gives now."""
    for example in reversed(parse(text)):  # from the end, so earlier spans stay valid
        shown = example.shown(run(example, warehouse))
        text = text[: example.start] + shown + text[example.end :]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m decoupling.readme_examples",
        description="Check or rewrite the outputs of the README's examples.",
        epilog="example: python -m decoupling.readme_examples --warehouse data/warehouse.duckdb",
        allow_abbrev=False,
    )
    parser.add_argument("--warehouse", help="DuckDB file (default: the configured warehouse)")
    parser.add_argument("--readme", default=str(README))
    parser.add_argument("--write", action="store_true", help="rewrite the outputs in place")
    args = parser.parse_args(argv)
    from decoupling.settings import load_settings

    warehouse = str(load_settings(warehouse=args.warehouse).warehouse)
    path = Path(args.readme)
    text = path.read_text(encoding="utf-8")
    examples = parse(text)
    try:
        updated = rewrite(text, warehouse)
    except RuntimeError as exc:  # an example that fails: name it in one line
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.write:
        path.write_text(updated, encoding="utf-8")
        print(f"{len(examples)} examples written to {path}")
        return 0
    stale = [
        e.command for e, n in zip(examples, parse(updated), strict=True) if e.output != n.output
    ]
    for command in stale:
        print(f"output differs: {command}", file=sys.stderr)
    print(f"{len(examples) - len(stale)} of {len(examples)} examples match")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
