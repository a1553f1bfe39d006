"""Liên thông văn bản: exchange of documents with other agencies' systems (edXML, QCVN 102)."""
