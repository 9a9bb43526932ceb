"""Delivery channels: each sends an already-rendered message and raises ChannelError."""
