"""Accounts of the web board: who signs in, with which role, and what that role may do.

``roles`` names the roles, ``passwords`` hashes (Argon2) and judges passwords,
``manage`` is what `notifier user ...` calls, ``login`` checks a sign-in against the
failed-login limits and records it, ``access`` is the one place that decides what an
account may see and do.
"""
