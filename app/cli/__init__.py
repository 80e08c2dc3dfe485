"""The command line (``talkqa``): commands, output, errors, the client of a running server, setup and doctor."""
