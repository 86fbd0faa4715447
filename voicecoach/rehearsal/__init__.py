"""Rehearsing a whole conversation: the manager's scripts, the conversation's result, its run and the voice."""
