"""The bottom layer: settings, errors, text helpers, the talk record, the question, packaged files, locks."""
