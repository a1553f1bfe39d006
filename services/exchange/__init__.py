"""Liên thông: documents exchanged with other agencies as edXML through the national axis."""
