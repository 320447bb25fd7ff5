"""Generated data for demos, tests and benchmarks: PDFs, French and English participant text, and the
province-scale dataset behind `consult bench seed`. Seeded, so the same call gives the same data."""
