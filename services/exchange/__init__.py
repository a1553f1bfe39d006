"""Liên thông: exchanging documents with other agencies' systems through the national axis."""
