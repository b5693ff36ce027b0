"""The shipped mapping profiles and code tables (data files; see README.md beside them)."""
