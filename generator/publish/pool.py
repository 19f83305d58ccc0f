"""The conversions of one build, side by side: each document in each format is independent.

A build splits its publishing into tasks (one for the site, the audit and the Markdown; DOCX and
PDF split into as many tasks as there are workers, each converting its documents in one pandoc
run and one Typst process) and runs up to ``workers`` of them at once, the largest first.
The files each task writes do not depend on when or beside what it ran, so the output is the
same bytes as a serial build's. A batch gives each client its share of the machine's cores, so
clients and conversions together never ask for more than there are cores.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from generator.publish import PUBLISHERS, Publication

# What a task costs relative to the Markdown it converts: laying out pages is the dearest.
_WEIGHT = {"pdf": 8, "site": 3, "docx": 2, "audit": 1, "md": 0}


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Task:
    """One format of some of the documents, published into ``folder``."""

    format: str
    publication: Publication
    folder: Path

    @property
    def cost(self) -> int:
        size = sum(len(text) for text in self.publication.documents.values())
        return _WEIGHT.get(self.format, 1) * (size + 1)


def split(
    name: str, publication: Publication, folder: Path, per_document: bool, groups: int
) -> list[Task]:
    """The tasks of format ``name``: when its documents are separate files, up to ``groups``
    tasks of about the same size (the largest documents first, each to the smallest group)."""
    documents = sorted(publication.documents.items())
    if not per_document or len(documents) <= 1 or groups <= 1:
        return [Task(name, publication, folder)]
    shares: list[dict[str, str]] = [{} for _ in range(min(groups, len(documents)))]
    for doc_id, text in sorted(documents, key=lambda item: (-len(item[1]), item[0])):
        smallest = min(shares, key=lambda share: sum(len(t) for t in share.values()))
        smallest[doc_id] = text
    return [
        Task(name, replace(publication, documents=dict(sorted(share.items()))), folder)
        for share in shares
    ]


def run(tasks: Sequence[Task], workers: int) -> list[Path]:
    """Run ``tasks``, up to ``workers`` at a time; the files written, in the order of tasks.

    Threads suffice: the heavy work happens in processes the tasks start and wait for (pandoc,
    Typst), and the Python in between takes turns.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [path for task in tasks for path in _publish(task)]
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i].cost)  # the largest first
    with ThreadPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = {i: pool.submit(_publish, tasks[i]) for i in order}
        done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
        failed = [i for i in range(len(tasks)) if futures[i] in done and futures[i].exception()]
        if failed:
            for future in futures.values():
                future.cancel()
            error = futures[failed[0]].exception()
            assert error is not None
            raise error
        return [path for i in range(len(tasks)) for path in futures[i].result()]


def _publish(task: Task) -> list[Path]:
    return PUBLISHERS[task.format][1](task.publication, task.folder)
