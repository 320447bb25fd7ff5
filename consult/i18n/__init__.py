"""Locale selection and the FR/EN toggle. The catalogs live in translations/ (msgids in English,
French default)."""
