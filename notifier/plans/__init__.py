"""Plan documents to tasks: reading, parsing, resolving agency names."""
