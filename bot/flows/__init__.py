"""Conversations as typed state machines, written once for every platform."""
