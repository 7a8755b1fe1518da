"""`make bench`: measured page, PDF, seed and import times (docs/performance.md)."""
