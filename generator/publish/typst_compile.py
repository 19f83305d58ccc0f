"""Lay out one Typst document as PDF, in a process of its own.

    python typst_compile.py ROOT SOURCE FACTS TARGET

ROOT is the only folder Typst may read; SOURCE the .typ file in it; FACTS a JSON file whose text
becomes ``sys.inputs.facts``; TARGET the PDF written. Run as a script, not as part of the
``generator`` package, so that starting it costs only Typst's own import: PDF layout runs beside
the build's other conversions (Typst holds the interpreter lock while it works). Exit status 1
with Typst's message on stderr when the document cannot be laid out.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(root: str, source: str, facts: str, target: str) -> int:
    import typst

    try:
        compiler = typst.Compiler(root=root)
        pdf = compiler.compile(
            source,
            sys_inputs={"facts": Path(facts).read_text(encoding="utf-8")},
            pdf_standards=["ua-1"],  # tagged for screen readers, checked by Typst as it writes
        )
    except (RuntimeError, OSError) as e:  # TypstError is a RuntimeError
        print(str(e).strip() or type(e).__name__, file=sys.stderr)
        return 1
    if not isinstance(pdf, bytes):
        print("Typst wrote no PDF", file=sys.stderr)
        return 1
    Path(target).write_bytes(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
