"""The pure core: records, scores, statistics and the timeline spec. No Qt, no database, no PDF."""
