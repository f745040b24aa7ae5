"""Sourced policy Q&A with verbatim, cited quotes (see DESIGN.md)."""
