"""Developer tools: the demo dataset and the benchmark; a site does not need them to run."""
