"""Document + Config -> model.Api: naming, the frozen model, and the build in which every decision is made."""
