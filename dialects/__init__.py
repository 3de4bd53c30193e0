"""The four levels of mlc-dialects, one package per dialect: graph, tensor, loops, hw."""
