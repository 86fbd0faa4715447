"""Coaching: each check's verdict and its tip (one table per take and per conversation), and the scenarios
the user prepares."""
