"""`schoolmdm plan`: build two revisions (read from git objects) and diff what they render."""
