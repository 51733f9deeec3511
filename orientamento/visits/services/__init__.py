"""Peer-visit use cases, one module per use: ``availability`` (windows, blocked days, school
holidays) and ``visit_requests`` (the request state machine: request, confirm, propose, decline,
cancel). They flush, never commit."""
