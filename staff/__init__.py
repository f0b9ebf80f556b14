"""Tools for the practice's staff, who keep the FAQ answers current (docs/staff-guide.md)."""
