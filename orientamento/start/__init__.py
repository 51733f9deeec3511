"""Start pages: after login each role lands on a page that answers "what do I do now".

The package sits at the top of the layers: it only reads, through the queries and services of
the features below, and composes what each role needs on one page.
"""
