"""The cluster stage: discovered phrases folded into concepts, and comment themes."""
