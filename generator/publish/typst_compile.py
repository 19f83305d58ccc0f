"""Lay out Typst documents as PDF, in a process of their own.

    python typst_compile.py ROOT SOURCE FACTS TARGET [ROOT SOURCE FACTS TARGET ...]

ROOT is the only folder Typst may read; SOURCE the .typ file in it; FACTS a JSON file whose text
becomes ``sys.inputs.facts``; TARGET the PDF written. Run as a script, not as part of the
``generator`` package, so that starting it costs only Typst's own import. Typst holds the
interpreter lock while it works: documents laid out beside the build's other conversions are
laid out in a process of their own, with this script, one after another (the fonts are read
once). Exit status 1 with ``TARGET-NAME: Typst's message`` on stderr when a document cannot be
laid out.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def compile_pdf(root: str, source: str, facts: str, target: str, fonts: Any = None) -> str:
    """Write ``target``; "" when done, else Typst's message. ``fonts``: a ``typst.Fonts``
    already looked up (Typst looks for the system's fonts itself when there is none)."""
    import typst

    try:
        compiler = typst.Compiler(root=root, font_paths=fonts if fonts is not None else [])
        pdf = compiler.compile(
            source,
            sys_inputs={"facts": facts},
            pdf_standards=["ua-1"],  # tagged for screen readers, checked by Typst as it writes
        )
    except (RuntimeError, OSError) as e:  # TypstError is a RuntimeError
        return str(e).strip() or type(e).__name__
    if not isinstance(pdf, bytes):
        return "Typst wrote no PDF"
    Path(target).write_bytes(pdf)
    return ""


def main(arguments: list[str]) -> int:
    import typst

    fonts = typst.Fonts()
    for i in range(0, len(arguments) - 3, 4):
        root, source, facts, target = arguments[i : i + 4]
        error = compile_pdf(root, source, Path(facts).read_text(encoding="utf-8"), target, fonts)
        if error:
            print(f"{Path(target).name}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
