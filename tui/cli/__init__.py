"""The scriptable command line. Each module registers its subcommands; nothing heavy at import."""
