"""Answers from recipients: Telegram bot updates and the web app for email links."""
