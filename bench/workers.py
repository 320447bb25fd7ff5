"""Worker-side figures that exist so far: text extraction from the kind of PDFs the scale dataset
carries (5-page briefs), with one sandboxed child per batch as a worker runs it, and theme analysis of
generated comments. Measured in this process, on the same machine and in the same run as the web load."""

from __future__ import annotations

import random
import resource
import time

from consult.sampledata import texts
from consult.sampledata.pdf import make_pdf


def extraction_pages_per_second(files: int = 60, pages: int = 5) -> dict[str, float]:
    from consult.summaries.extraction import extract_many

    rng = random.Random(7)
    pdfs = [make_pdf(texts.brief_pages(rng, f"l'organisme {n}", pages)) for n in range(files)]
    started = time.perf_counter()
    results = extract_many((data, "application/pdf") for data in pdfs)
    elapsed = time.perf_counter() - started
    read = sum(result.pages for result in results if result.status == "ok")
    return {"extraction_pages_per_s": round(read / elapsed, 1), "extraction_files": files,
            "extraction_failed": sum(result.status != "ok" for result in results)}


def analysis_inputs_per_second(comments: int = 5_000) -> dict[str, float]:
    from consult.summaries.analysis import analyse_many

    rng = random.Random(11)
    batch = [texts.comment(rng, "en" if n % 7 == 0 else "fr") for n in range(comments)]
    analyse_many(batch[:50])  # load the language models once, as a worker does at start
    started = time.perf_counter()
    analyse_many(batch)
    elapsed = time.perf_counter() - started
    return {"analysis_inputs_per_s": round(comments / elapsed, 1),
            "analysis_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
