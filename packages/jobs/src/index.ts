// Public API of @cairn/jobs; each folder adds its export line.
