"""Cross-cutting pieces: settings, logging with personal-data masking, the composition root."""
