"""Contract-driven loaders: source extracts into raw and staging."""
