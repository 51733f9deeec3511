"""Outgoing e-mail, written in the same transaction as its cause and sent later."""
